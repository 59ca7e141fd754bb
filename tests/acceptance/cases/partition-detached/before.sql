CREATE TABLE public.orders (
  id bigint NOT NULL,
  placed_on date NOT NULL,
  customer text NOT NULL,
  total_cents bigint NOT NULL,
  PRIMARY KEY (id, placed_on),
  CONSTRAINT orders_total_check CHECK (total_cents >= 0)
) PARTITION BY RANGE (placed_on);
CREATE INDEX orders_customer_idx ON public.orders (customer);
CREATE TABLE public.orders_2023 PARTITION OF public.orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE public.orders_2024 PARTITION OF public.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.orders_2025 PARTITION OF public.orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.orders SELECT g, date '2023-01-01' + (g % 1000), 'customer ' || (g % 40), g * 10 FROM generate_series(1, 5000) g;
