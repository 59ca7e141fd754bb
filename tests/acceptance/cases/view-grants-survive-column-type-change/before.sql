DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vgrant_case_reader') THEN CREATE ROLE vgrant_case_reader NOLOGIN; END IF;
END $$;
CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    total integer NOT NULL
);
INSERT INTO public.orders SELECT g, 'c' || (g % 50), g * 10 FROM generate_series(1, 200) g;
CREATE VIEW public.paid_orders AS SELECT id, customer, total FROM public.orders WHERE total > 0;
CREATE VIEW public.big_orders AS SELECT id, total FROM public.paid_orders WHERE total > 1000;
CREATE MATERIALIZED VIEW public.order_totals AS SELECT customer, sum(total) AS total FROM public.orders GROUP BY customer;
-- the application reads the views, never the table; views have no `grants:` in the YAML
GRANT SELECT ON public.paid_orders, public.big_orders, public.order_totals TO vgrant_case_reader;
GRANT UPDATE (customer) ON public.paid_orders TO vgrant_case_reader;
