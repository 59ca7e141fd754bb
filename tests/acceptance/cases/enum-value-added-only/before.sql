CREATE TYPE public.order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  status public.order_status NOT NULL DEFAULT 'pending',
  placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_status_idx ON public.orders (status);
INSERT INTO public.orders (id, status)
SELECT g, (ARRAY['pending', 'paid', 'shipped', 'cancelled']::public.order_status[])[(g % 4) + 1] FROM generate_series(1, 4000) g;
