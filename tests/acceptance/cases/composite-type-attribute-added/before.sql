CREATE TYPE public.address AS (street text, city text);
CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL, home public.address);
INSERT INTO public.customers SELECT g, 'customer ' || g, ROW('street ' || g, 'Town')::public.address FROM generate_series(1, 2000) g;
