CREATE TABLE public.products (id bigint PRIMARY KEY, sku text NOT NULL, price_cents integer NOT NULL, stock integer NOT NULL DEFAULT 0);
INSERT INTO public.products SELECT g, 'SKU-' || g, 100 + (g * 13) % 5000, g % 50 FROM generate_series(1, 4000) g;
