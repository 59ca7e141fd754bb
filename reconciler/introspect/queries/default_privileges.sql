-- Default privileges set per schema in scope (ALTER DEFAULT PRIVILEGES ... IN SCHEMA), one row
-- per privilege.
SELECT n.nspname AS schema,
       r.rolname::text AS for_role,
       d.defaclobjtype::text AS objtype,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE g.rolname::text END AS grantee,
       x.privilege_type AS privilege,
       x.is_grantable AS grantable
FROM pg_catalog.pg_default_acl d
JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
JOIN pg_catalog.pg_roles r ON r.oid = d.defaclrole
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) x
LEFT JOIN pg_catalog.pg_roles g ON g.oid = x.grantee
WHERE n.nspname = ANY(%(schemas)s::text[])
ORDER BY 1, 2, 3, 4, 5
