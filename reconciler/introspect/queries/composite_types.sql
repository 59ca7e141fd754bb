-- Stand-alone composite types (CREATE TYPE ... AS (...)), not tables' row types, with their
-- attributes in order (collation only when not the attribute type's default).
SELECT n.nspname AS schema,
       t.typname AS name,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(
                            a.attname::text,
                            pg_catalog.format_type(a.atttypid, a.atttypmod),
                            CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN cn.nspname::text END,
                            CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN co.collname::text END)
                        ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                 JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                 LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                 LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS attributes,
       d.description AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0
WHERE t.typtype = 'c'
  AND n.nspname = ANY(%(schemas)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                  WHERE dep.classid = 'pg_catalog.pg_type'::regclass AND dep.objid = t.oid AND dep.deptype = 'e')
ORDER BY 1, 2
