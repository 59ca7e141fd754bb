-- User collations in scope (not those of extensions). Provider-specific columns moved between
-- versions (colliculocale in 15-16, colllocale from 17): read through to_jsonb.
SELECT n.nspname AS schema,
       c.collname AS name,
       c.collprovider::text AS provider,
       c.collcollate AS lc_collate,
       c.collctype AS lc_ctype,
       c.collisdeterministic AS deterministic,
       COALESCE(pg_catalog.to_jsonb(c) ->> 'colllocale', pg_catalog.to_jsonb(c) ->> 'colliculocale') AS locale,
       d.description AS comment
FROM pg_catalog.pg_collation c
JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_collation'::regclass AND d.objsubid = 0
WHERE n.nspname = ANY(%(schemas)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                  WHERE dep.classid = 'pg_catalog.pg_collation'::regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY 1, 2
