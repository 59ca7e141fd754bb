-- Primary key, unique, check and foreign-key constraints declared on the given tables
-- (not inherited ones). Column lists are attribute numbers in the constraint's own order; the
-- reader names them from the columns query (cheaper than a subquery per row). Referenced
-- columns are named here, since the referenced table may be outside the introspected schemas.
-- Catalog columns that only newer servers have are placeholders in braces, which the reader
-- fills in for the server's version (reader._SINCE).
SELECT con.conrelid AS table_oid,
       con.conname AS name,
       con.contype AS type,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       con.convalidated AS validated,
       con.connoinherit AS no_inherit,
       con.conkey AS column_numbers,
       CASE WHEN i.indnatts > i.indnkeyatts
            THEN (i.indkey::int2[])[i.indnkeyatts:i.indnatts - 1] END AS include_numbers,
       CASE WHEN con.contype = 'u'
            THEN {nulls_not_distinct}
            ELSE false END AS nulls_not_distinct,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       fn.nspname AS ref_schema,
       fc.relname AS ref_table,
       CASE WHEN con.contype = 'f' THEN
           ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                 ORDER BY k.ord) END AS ref_columns,
       CASE WHEN con.contype = 'f' THEN {delete_set_numbers} END AS delete_set_numbers,
       con.confupdtype AS on_update,
       con.confdeltype AS on_delete,
       con.confmatchtype AS match,
       d.description AS comment
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = con.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objsubid = 0
WHERE con.conrelid = ANY(%(oids)s::oid[])
  AND con.contype IN ('p', 'u', 'c', 'f')
  AND con.conislocal
ORDER BY con.conrelid, con.conname
