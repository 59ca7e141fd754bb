-- User schemas: not system schemas, not reconciler's bookkeeping schema, not created by an extension.
SELECT n.nspname AS name,
       d.description AS comment
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass AND d.objsubid = 0
WHERE n.nspname !~ '^pg_'
  AND n.nspname <> 'information_schema'
  AND n.nspname <> %(bookkeeping)s
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                  WHERE dep.classid = 'pg_catalog.pg_namespace'::regclass
                    AND dep.objid = n.oid AND dep.deptype = 'e')
ORDER BY n.nspname
