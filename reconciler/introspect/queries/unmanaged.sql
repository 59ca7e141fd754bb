-- Objects in the introspected schemas that the model does not represent yet. They are reported
-- (plan, drift, export) and never dropped.
WITH ext AS (
    SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
)
SELECT kind, schema, name FROM (
    SELECT 'foreign table' AS kind, n.nspname AS schema, c.relname AS name
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s::text[])
      AND c.relkind = 'f'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END,
           n.nspname, p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s::text[]) AND p.prokind IN ('a', 'w')
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::regclass AND ext.objid = p.oid)
    UNION ALL
    SELECT 'range type', n.nspname, t.typname
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = ANY(%(schemas)s::text[])
      AND t.typtype = 'r'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT 'trigger', n.nspname, c.relname || '.' || tg.tgname
    FROM pg_catalog.pg_trigger tg
    JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s::text[]) AND NOT tg.tgisinternal AND c.relkind NOT IN ('r', 'p')
    UNION ALL
    SELECT 'exclusion constraint', n.nspname, c.relname || '.' || con.conname
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s::text[]) AND con.contype = 'x'
) objects
ORDER BY kind, schema, name
