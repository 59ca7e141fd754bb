-- Names of volatile functions: a default calling one is evaluated per row, so adding a column
-- with it cannot be a catalog-only change.
SELECT DISTINCT p.proname AS name
FROM pg_catalog.pg_proc p
WHERE p.provolatile = 'v'
