-- Columns of the given tables, in attribute order. The collation is reported only when it is
-- not the type's default; identity options come from the column's own sequence.
SELECT a.attrelid AS table_oid,
       a.attnum AS number,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       -- a default cannot refer to columns, so it is deparsed without the table's context, which
       -- would open every table; a generated column's expression needs it
       pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END) AS default_expr,
       a.attidentity AS identity,
       a.attgenerated AS generated,
       co_n.nspname AS collation_schema,
       co.collname AS collation_name,
       d.description AS comment,
       s.seqstart AS id_start, s.seqincrement AS id_increment, s.seqmin AS id_min,
       s.seqmax AS id_max, s.seqcache AS id_cache, s.seqcycle AS id_cycle
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_catalog.pg_namespace co_n ON co_n.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
LEFT JOIN pg_catalog.pg_depend dep
       ON a.attidentity <> '' AND dep.refclassid = 'pg_catalog.pg_class'::regclass
      AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
      AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i'
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
WHERE a.attrelid = ANY(%(oids)s::oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
