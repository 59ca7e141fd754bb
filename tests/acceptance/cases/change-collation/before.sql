CREATE TABLE public.products (
  id bigint PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL
);
CREATE INDEX products_sku_idx ON public.products (sku);
INSERT INTO public.products SELECT g, CASE WHEN g % 2 = 0 THEN 'ab-' ELSE 'AB-' END || lpad(g::text, 5, '0'), 'product ' || g FROM generate_series(1, 4000) g;
CREATE SCHEMA probe;
CREATE TABLE probe.filenodes AS SELECT relname::text AS relname, relfilenode FROM pg_class
  WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i');
