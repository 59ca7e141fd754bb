CREATE TABLE public.tickets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.tickets (subject) SELECT 'ticket ' || g FROM generate_series(1, 3000) g;
-- outside the managed schemas: the storage of the table before the migration, to prove no rewrite
CREATE SCHEMA probe;
CREATE TABLE probe.filenodes AS SELECT relname::text AS relname, relfilenode FROM pg_class WHERE oid = 'public.tickets'::regclass;
