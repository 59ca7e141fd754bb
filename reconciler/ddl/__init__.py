"""DDL: the only place SQL statements are composed (psycopg.sql), one module per family of
object kinds.

`statement` the Statement value, the composing primitives and the runners; `relations` tables,
columns, constraints, indexes, sequences, partitions; `types` schemas, extensions, enums,
domains, composite types, collations; `security` row-level security, grants, roles; `code`
routines, views, materialized views, triggers; `catalog` a whole catalog in dependency order.
"""
