-- Domains with their base type, default, NOT NULL, collation (when not the base type's) and
-- check constraints (name, expression over VALUE, validated), not those of extensions.
SELECT n.nspname AS schema,
       t.typname AS name,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS type,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       t.typnotnull AS not_null,
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN cn.nspname END AS collation_schema,
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN co.collname END AS collation_name,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(con.conname::text, pg_catalog.pg_get_expr(con.conbin, 0), con.convalidated)
                                            ORDER BY con.conname)
                 FROM pg_catalog.pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c'), '[]') AS checks,
       d.description AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0
WHERE t.typtype = 'd'
  AND n.nspname = ANY(%(schemas)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                  WHERE dep.classid = 'pg_catalog.pg_type'::regclass AND dep.objid = t.oid AND dep.deptype = 'e')
ORDER BY 1, 2
