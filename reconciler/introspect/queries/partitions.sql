-- Partitioning of the given tables: the key of a partitioned table and, for a partition, its
-- parent and bound, as PostgreSQL prints them. detach_pending: an interrupted
-- DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; read through to_jsonb so one query serves
-- every version).
SELECT c.oid AS table_oid,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       pn.nspname AS parent_schema,
       pc.relname AS parent_name,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
       COALESCE((pg_catalog.to_jsonb(inh) ->> 'inhdetachpending')::boolean, false) AS detach_pending
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_inherits inh ON inh.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.oid = ANY(%(oids)s::oid[])
  AND (c.relkind = 'p' OR c.relispartition)
ORDER BY c.oid
