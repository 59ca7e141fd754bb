-- Installed extensions (plpgsql is always there and is not managed).
SELECT e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname
