CREATE TYPE public.order_status AS ENUM ('pending', 'on_hold', 'paid', 'shipped', 'cancelled');
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  status public.order_status NOT NULL DEFAULT 'pending',
  total_cents bigint NOT NULL
);
CREATE INDEX orders_status_idx ON public.orders (status);
-- on_hold is no longer used by any row
INSERT INTO public.orders (id, status, total_cents)
SELECT g, (ARRAY['pending', 'paid', 'shipped', 'cancelled']::public.order_status[])[(g % 4) + 1], g * 10 FROM generate_series(1, 4000) g;
