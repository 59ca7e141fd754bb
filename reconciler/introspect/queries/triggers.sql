-- User triggers of the given tables (not constraint triggers of foreign keys, not reconciler's
-- own sync triggers of a column swap in progress, not a partition's clone of its parent's trigger,
-- which belongs to the parent). The definition is parsed by the reader.
SELECT t.tgrelid AS table_oid,
       t.tgname AS name,
       pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled AS enabled,
       d.description AS comment
FROM pg_catalog.pg_trigger t
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objsubid = 0
WHERE t.tgrelid = ANY(%(oids)s::oid[])
  AND NOT t.tgisinternal
  AND NOT {trigger_is_clone}
  AND t.tgname NOT LIKE '%%\_\_rc\_%%'
ORDER BY t.tgrelid, t.tgname
