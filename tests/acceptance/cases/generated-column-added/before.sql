CREATE TABLE public.order_lines (
  order_id bigint NOT NULL,
  line_no integer NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
INSERT INTO public.order_lines SELECT g / 3 + 1, g % 3, (g % 5) + 1, 100 * ((g % 7) + 1) FROM generate_series(0, 4499) g;
