CREATE DOMAIN public.quantity AS integer;
CREATE TABLE public.order_lines (id bigint PRIMARY KEY, sku text NOT NULL, qty public.quantity NOT NULL);
INSERT INTO public.order_lines SELECT g, 'SKU-' || g, 1 + g % 9 FROM generate_series(1, 3000) g;
