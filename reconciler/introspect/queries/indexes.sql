-- Indexes of the given tables that do not implement a constraint and are not a partition's
-- share of a partitioned index (those belong to the parent's index).
-- An index on plain columns with default operator classes and collations, no INCLUDE, no
-- storage parameters and no NULLS NOT DISTINCT is read straight from the catalog (key_columns,
-- key_options); PostgreSQL would print nothing more for it. Any other index comes with
-- PostgreSQL's own definition (pg_get_indexdef), which the reader parses; key expressions and
-- the predicate are taken as PostgreSQL prints them. Skipping pg_get_indexdef for the common
-- case saves most of this query's time on large catalogs.
SELECT i.indrelid AS table_oid,
       ic.relname AS name,
       i.indisvalid AS valid,
       i.indisunique AS is_unique,
       am.amname AS method,
       plain.key_columns,
       i.indoption::int2[] AS key_options,
       CASE WHEN plain.key_columns IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS definition,
       CASE WHEN i.indexprs IS NULL THEN NULL
            ELSE ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, false)
                       FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) END AS keys,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       d.description AS comment
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN LATERAL (
    SELECT pg_catalog.array_agg(a.attname ORDER BY k.ord) AS key_columns
    FROM ROWS FROM (pg_catalog.unnest(i.indkey::int2[]), pg_catalog.unnest(i.indclass::oid[]),
                    pg_catalog.unnest(i.indcollation::oid[])) WITH ORDINALITY AS k(attnum, opclass, coll, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    JOIN pg_catalog.pg_opclass opc ON opc.oid = k.opclass
    WHERE i.indexprs IS NULL AND i.indnatts = i.indnkeyatts AND ic.reloptions IS NULL
      AND NOT {nulls_not_distinct}
    HAVING pg_catalog.count(*) = i.indnkeyatts
       AND pg_catalog.bool_and(opc.opcdefault AND opc.opcintype = a.atttypid AND k.coll IN (0, a.attcollation))
) plain ON true
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE i.indrelid = ANY(%(oids)s::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                  WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
ORDER BY i.indrelid, ic.relname
