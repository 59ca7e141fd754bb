CREATE TABLE public.items (
    id bigint PRIMARY KEY,
    price integer NOT NULL,
    qty integer NOT NULL
);
INSERT INTO public.items SELECT g, g, g % 7 FROM generate_series(1, 200) g;
CREATE FUNCTION public.line_total(price integer, qty integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT price * qty';
CREATE VIEW public.item_totals AS SELECT id, public.line_total(price, qty) AS total FROM public.items;
CREATE VIEW public.big_items AS SELECT id FROM public.item_totals WHERE total > 1000;
