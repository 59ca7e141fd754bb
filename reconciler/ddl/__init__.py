"""DDL: every statement that creates, alters or drops a schema object is composed here
(psycopg.sql), one module per family of object kinds.

Other packages compose only the SQL of their own machinery, with psycopg.sql too and never by
concatenation: introspect its catalog queries, normalize its scratch databases, execute the
journal, session settings and backfill batches, plan the fragments it hands to these functions
(comment targets, predicates, the body of a column swap's sync trigger) and a backfill as one
UPDATE (`plan.plain`).

`statement` the Statement value, the composing primitives and the runners; `relations` tables,
columns, constraints, indexes, sequences, partitions; `types` schemas, extensions, enums,
domains, composite types, collations; `security` row-level security, grants, roles; `code`
routines, views, materialized views, triggers; `catalog` a whole catalog in dependency order.
"""
