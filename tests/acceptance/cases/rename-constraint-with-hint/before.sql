CREATE TABLE public.stock (id bigint PRIMARY KEY, sku text NOT NULL, on_hand integer NOT NULL,
  CONSTRAINT stock_qty_ok CHECK (on_hand >= 0));
INSERT INTO public.stock SELECT g, 'SKU-' || g, g % 300 FROM generate_series(1, 3000) g;
