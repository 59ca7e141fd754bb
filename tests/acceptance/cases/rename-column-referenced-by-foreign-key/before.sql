CREATE TABLE public.warehouses (
    id bigint PRIMARY KEY,
    code text NOT NULL,
    city text NOT NULL,
    CONSTRAINT warehouses_code_key UNIQUE (code)
);
CREATE TABLE public.stock_moves (
    id bigint PRIMARY KEY,
    warehouse_code text NOT NULL,
    quantity integer NOT NULL,
    CONSTRAINT stock_moves_warehouse_code_fkey FOREIGN KEY (warehouse_code) REFERENCES public.warehouses (code)
);
CREATE INDEX stock_moves_warehouse_code_idx ON public.stock_moves (warehouse_code);
INSERT INTO public.warehouses (id, code, city)
SELECT g, 'WH-' || lpad(g::text, 3, '0'), (ARRAY['Lyon', 'Porto', 'Gdansk', 'Leeds'])[1 + g % 4] FROM generate_series(1, 200) g;
INSERT INTO public.stock_moves (id, warehouse_code, quantity)
SELECT g, 'WH-' || lpad((1 + g % 200)::text, 3, '0'), (g % 50) - 20 FROM generate_series(1, 4000) g;
