-- Ordinary tables, partitioned tables and partitions (partitioning itself is read by
-- partitions.sql), with the planner's size estimates.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       d.description AS comment,
       c.reltuples::float8 AS reltuples,
       c.relpages::bigint AS relpages
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p')
  AND n.nspname = ANY(%(schemas)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                  WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 2, 3
