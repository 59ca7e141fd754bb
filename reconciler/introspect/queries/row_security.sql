-- Row-level security of the tables in scope: the ENABLE/FORCE flags of every table that has
-- either set or any policy, and its policies (roles sorted; 0 in polroles is PUBLIC).
SELECT n.nspname AS schema,
       c.relname AS table_name,
       c.relrowsecurity AS enabled,
       c.relforcerowsecurity AS forced,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(
                            pol.polname::text,
                            pol.polcmd::text,
                            pol.polpermissive,
                            (SELECT pg_catalog.array_agg(CASE WHEN r.oid = 0 THEN 'public' ELSE ro.rolname::text END ORDER BY 1)
                             FROM pg_catalog.unnest(pol.polroles) AS r(oid)
                             LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = r.oid),
                            pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
                            pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid))
                        ORDER BY pol.polname)
                 FROM pg_catalog.pg_policy pol WHERE pol.polrelid = c.oid), '[]') AS policies
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname = ANY(%(schemas)s::text[])
  AND (c.relrowsecurity OR c.relforcerowsecurity
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid))
ORDER BY 1, 2
