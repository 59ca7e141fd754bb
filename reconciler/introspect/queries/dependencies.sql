-- What depends on what, among objects of the introspected schemas (pg_depend, normal
-- dependencies): views and materialized views on relations, their columns and functions (through
-- their rewrite rule), triggers on functions and columns (UPDATE OF, WHEN), check constraints,
-- defaults and indexes on functions.
-- One row per (dependant, referenced[, column]).
WITH deps AS (
    SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    WHERE d.deptype = 'n'
      AND d.classid IN ('pg_catalog.pg_rewrite'::regclass, 'pg_catalog.pg_trigger'::regclass,
                        'pg_catalog.pg_constraint'::regclass, 'pg_catalog.pg_attrdef'::regclass,
                        'pg_catalog.pg_class'::regclass)
      AND d.refclassid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_proc'::regclass)
), dependant AS (
    SELECT deps.*, CASE v.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind, vn.nspname AS schema, v.relname AS name
    FROM deps
    JOIN pg_catalog.pg_rewrite r ON deps.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = deps.objid
    JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
    JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace
    WHERE v.relkind IN ('v', 'm') AND deps.refobjid <> v.oid
    UNION ALL
    SELECT deps.*, 'trigger', tn.nspname, tc.relname || '.' || t.tgname
    FROM deps
    JOIN pg_catalog.pg_trigger t ON deps.classid = 'pg_catalog.pg_trigger'::regclass AND t.oid = deps.objid
    JOIN pg_catalog.pg_class tc ON tc.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
    WHERE NOT t.tgisinternal
    UNION ALL
    SELECT deps.*, 'constraint', cn.nspname, cc.relname || '.' || con.conname
    FROM deps
    JOIN pg_catalog.pg_constraint con ON deps.classid = 'pg_catalog.pg_constraint'::regclass AND con.oid = deps.objid
    JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
    JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
    WHERE deps.refclassid = 'pg_catalog.pg_proc'::regclass
    UNION ALL
    SELECT deps.*, 'default', an.nspname, ac.relname || '.' || a.attname
    FROM deps
    JOIN pg_catalog.pg_attrdef ad ON deps.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.oid = deps.objid
    JOIN pg_catalog.pg_class ac ON ac.oid = ad.adrelid
    JOIN pg_catalog.pg_namespace an ON an.oid = ac.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    WHERE deps.refclassid = 'pg_catalog.pg_proc'::regclass
    UNION ALL
    SELECT deps.*, 'index', xn.nspname, xc.relname
    FROM deps
    JOIN pg_catalog.pg_class xc ON deps.classid = 'pg_catalog.pg_class'::regclass AND xc.oid = deps.objid AND xc.relkind = 'i'
    JOIN pg_catalog.pg_namespace xn ON xn.oid = xc.relnamespace
    WHERE deps.refclassid = 'pg_catalog.pg_proc'::regclass
)
SELECT DISTINCT dependant.kind, dependant.schema, dependant.name,
       CASE WHEN dependant.refclassid = 'pg_catalog.pg_proc'::regclass THEN 'function'
            WHEN rc.relkind = 'v' THEN 'view' WHEN rc.relkind = 'm' THEN 'materialized view' ELSE 'table' END AS ref_kind,
       COALESCE(pn.nspname, rn.nspname) AS ref_schema,
       COALESCE(p.proname, rc.relname) AS ref_name,
       ra.attname AS ref_column
FROM dependant
LEFT JOIN pg_catalog.pg_proc p ON dependant.refclassid = 'pg_catalog.pg_proc'::regclass AND p.oid = dependant.refobjid
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_class rc ON dependant.refclassid = 'pg_catalog.pg_class'::regclass AND rc.oid = dependant.refobjid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = dependant.refobjsubid AND dependant.refobjsubid > 0
WHERE dependant.schema = ANY(%(schemas)s::text[])
  AND COALESCE(pn.nspname, rn.nspname) IS NOT NULL
ORDER BY 1, 2, 3, 4, 5, 6, 7
