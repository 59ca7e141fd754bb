CREATE DOMAIN public.sku_code AS text CHECK (VALUE ~ '^[A-Z0-9-]+$');
CREATE DOMAIN public.unused AS integer;
CREATE TABLE public.products (id bigint PRIMARY KEY, sku public.sku_code);
INSERT INTO public.products SELECT g, 'SKU-' || g FROM generate_series(1, 1500) g;
