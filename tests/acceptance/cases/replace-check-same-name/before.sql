CREATE TABLE public.order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, quantity integer NOT NULL,
  CONSTRAINT order_items_quantity_check CHECK (quantity > 0));
INSERT INTO public.order_items SELECT g, 1 + g / 3, 1 + g % 20 FROM generate_series(1, 4000) g;
