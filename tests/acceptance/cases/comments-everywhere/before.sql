CREATE TABLE public.products (
  id bigint PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  price_cents integer NOT NULL,
  legacy_code text,
  CONSTRAINT products_price_positive CHECK (price_cents > 0),
  CONSTRAINT products_sku_key UNIQUE (sku)
);
CREATE INDEX products_name_idx ON public.products (name);
COMMENT ON TABLE public.products IS 'Products.';
COMMENT ON COLUMN public.products.price_cents IS 'Price.';
COMMENT ON COLUMN public.products.legacy_code IS 'Code from the old ERP.';
COMMENT ON INDEX public.products_name_idx IS 'Search by name.';
INSERT INTO public.products SELECT g, 'SKU-' || g, 'product ' || g, 100 + g, NULL FROM generate_series(1, 3000) g;
CREATE SCHEMA probe;
CREATE TABLE probe.filenodes AS SELECT relname::text AS relname, relfilenode FROM pg_class
  WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i');
