-- How far every sequence of the given schemas has counted, and the column it serves: identity
-- columns (an 'i' dependency), serial columns and OWNED BY sequences ('a').
-- last_value is NULL for a sequence never used, or one this role may not read.
SELECT n.nspname AS schema,
       c.relname AS name,
       pg_catalog.format_type(s.seqtypid, NULL) AS type,
       s.seqmin AS min_value, s.seqmax AS max_value, s.seqincrement AS increment,
       CASE WHEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT,USAGE')
            THEN pg_catalog.pg_sequence_last_value(c.oid::pg_catalog.regclass) END AS last_value,
       own_n.nspname AS owner_schema, own_c.relname AS owner_table, own_a.attname AS owner_column
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend dep
       ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.objid = c.oid
      AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class own_c ON own_c.oid = dep.refobjid
LEFT JOIN pg_catalog.pg_namespace own_n ON own_n.oid = own_c.relnamespace
LEFT JOIN pg_catalog.pg_attribute own_a ON own_a.attrelid = dep.refobjid AND own_a.attnum = dep.refobjsubid
WHERE n.nspname = ANY(%(schemas)s::text[])
ORDER BY 1, 2
