CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total_cents integer NOT NULL);
INSERT INTO public.customers SELECT g, 'Customer ' || g FROM generate_series(1, 1000) g;
INSERT INTO public.orders SELECT g, 1 + (g % 1000), (g * 37) % 10000 FROM generate_series(1, 4000) g;
CREATE INDEX orders_customer_id_idx ON public.orders (customer_id);
