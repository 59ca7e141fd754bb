-- Functions and procedures of the introspected schemas (aggregates and window functions stay
-- unmanaged, see unmanaged.sql), without extension members and without reconciler's own helper
-- functions (`*__rc_*`, the sync triggers of a column swap in progress).
SELECT p.oid,
       n.nspname AS schema,
       p.proname AS name,
       p.prokind AS kind,
       pg_catalog.format_type(p.prorettype, NULL) AS returns,
       p.proretset AS setof,
       l.lanname AS language,
       p.provolatile AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proparallel AS parallel,
       p.proconfig AS config,
       p.prosrc AS body,
       pg_catalog.pg_get_function_arguments(p.oid) AS arguments,
       ARRAY(SELECT pg_catalog.format_type(t.oid, NULL)
             FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS t(oid, i)
             ORDER BY t.i) AS arg_types,
       p.proargmodes::text[] AS arg_modes,
       p.proargnames AS arg_names,
       d.description AS comment
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = p.oid AND d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objsubid = 0
WHERE n.nspname = ANY(%(schemas)s::text[])
  AND p.prokind IN ('f', 'p')
  AND p.proname NOT LIKE '%%\_\_rc\_%%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                  WHERE x.classid = 'pg_catalog.pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')
ORDER BY 2, 3, p.oid
