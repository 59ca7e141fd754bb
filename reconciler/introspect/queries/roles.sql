-- Role names of the cluster: grants name roles, and a missing one is reported before planning.
SELECT rolname::text AS name FROM pg_catalog.pg_roles ORDER BY 1
