CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    total integer NOT NULL
);
INSERT INTO public.orders SELECT g, 'c' || (g % 50), g * 10 FROM generate_series(1, 2000) g;
CREATE VIEW public.paid_orders AS SELECT id, customer, total FROM public.orders WHERE total > 0;
CREATE VIEW public.big_orders AS SELECT id, total FROM public.paid_orders WHERE total > 10000;
