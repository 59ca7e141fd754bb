CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO public.orders SELECT g, 1 + g % 700, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 hour' FROM generate_series(1, 4000) g;
CREATE INDEX idx_orders_cust ON public.orders (customer_id);
