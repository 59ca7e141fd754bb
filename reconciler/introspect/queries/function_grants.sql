-- EXECUTE privileges on the functions and procedures in scope: one row per ACL item except the
-- owner's own, and one row with NULL grantee for every routine (so a routine whose ACL holds
-- nothing but its owner is known to exist). A NULL ACL means PostgreSQL's default
-- (acldefault('f'): the owner, and EXECUTE to PUBLIC). `arguments`: the identity argument types as
-- `format_type` prints them (OUT arguments count for procedures only), as `Function.identity_types`.
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind,
       n.nspname AS schema,
       p.proname AS name,
       pg_catalog.array_to_string(ARRAY(
           SELECT pg_catalog.format_type(t.oid, NULL)
           FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS t(oid, i)
           WHERE p.proargmodes IS NULL OR p.proargmodes[t.i] IN ('i', 'b', 'v') OR (p.prokind = 'p' AND p.proargmodes[t.i] = 'o')
           ORDER BY t.i), ', ') AS arguments,
       CASE WHEN x.grantee IS NULL THEN NULL WHEN x.grantee = 0 THEN 'public' ELSE r.rolname::text END AS grantee,
       x.privilege_type AS privilege,
       x.is_grantable AS grantable
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN LATERAL pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) x ON x.grantee <> p.proowner
LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
WHERE n.nspname = ANY(%(schemas)s::text[]) AND p.prokind IN ('f', 'p')
ORDER BY 1, 2, 3, 4, 5, 6
