CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL);
INSERT INTO public.orders SELECT g, 1 + g % 700, (ARRAY['pending','paid','shipped'])[1 + g % 3] FROM generate_series(1, 4000) g;
CREATE INDEX orders_status_idx ON public.orders (status);
CREATE INDEX orders_customer_id_idx ON public.orders (customer_id);
