-- Indexes of the given tables that do not implement a constraint and are not a partition's
-- share of a partitioned index (those belong to the parent's index). The definition is
-- PostgreSQL's own (pg_get_indexdef), parsed by the reader; key expressions and the predicate
-- are taken as PostgreSQL prints them.
SELECT i.indrelid AS table_oid,
       ic.relname AS name,
       i.indisvalid AS valid,
       pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
       CASE WHEN i.indexprs IS NULL THEN NULL
            ELSE ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, false)
                       FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) END AS keys,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       d.description AS comment
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE i.indrelid = ANY(%(oids)s::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                  WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
ORDER BY i.indrelid, ic.relname
