CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    total_cents integer NOT NULL
);
INSERT INTO public.orders (id, customer_id, total_cents)
SELECT g, 1 + g % 250, (g * 37) % 10000 FROM generate_series(1, 5000) g;
