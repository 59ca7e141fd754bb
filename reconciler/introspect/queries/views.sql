-- Views and materialized views of the introspected schemas, without extension members. The query
-- is PostgreSQL's own rendering (pg_get_viewdef); with search_path = pg_catalog every name outside
-- pg_catalog comes out schema-qualified.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind AS kind,
       pg_catalog.pg_get_viewdef(c.oid, true) AS query,
       c.reloptions::text[] AS options,
       d.description AS comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm')
  AND n.nspname = ANY(%(schemas)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                  WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY 2, 3
