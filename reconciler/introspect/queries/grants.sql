-- Privileges on the schemas, tables, views, materialized views (and their columns) and sequences
-- in scope: one row per
-- ACL item, except the owner's own (never managed). NULL ACLs (the owner's defaults) have none.
WITH objects AS (
    SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, NULL::text AS column_name, n.nspacl AS acl, n.nspowner AS owner
    FROM pg_catalog.pg_namespace n
    WHERE n.nspname = ANY(%(schemas)s::text[]) AND n.nspacl IS NOT NULL
    UNION ALL
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
           n.nspname, c.relname, NULL, c.relacl, c.relowner
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND n.nspname = ANY(%(schemas)s::text[]) AND c.relacl IS NOT NULL
    UNION ALL
    SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
           n.nspname, c.relname, a.attname::text, a.attacl, c.relowner
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY(%(schemas)s::text[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
)
SELECT o.kind, o.schema, o.name, o.column_name,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE r.rolname::text END AS grantee,
       x.privilege_type AS privilege,
       x.is_grantable AS grantable
FROM objects o
CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) x
LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
WHERE x.grantee <> o.owner
ORDER BY 1, 2, 3, 4, 5, 6
