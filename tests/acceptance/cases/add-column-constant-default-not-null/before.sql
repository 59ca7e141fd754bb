CREATE TABLE public.products (
    id bigint PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    price_cents integer NOT NULL
);
INSERT INTO public.products (id, sku, price_cents)
SELECT g, 'SKU-' || lpad(g::text, 6, '0'), 100 + (g % 997) FROM generate_series(1, 4000) g;
-- outside the managed schema: the table's file before the migration, to prove it is not rewritten
CREATE SCHEMA probe;
CREATE TABLE probe.files AS
SELECT relname::text AS relname, relfilenode FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relname IN ('products', 'products_pkey', 'products_sku_key');
