CREATE TABLE public.customers (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.customers (id, email)
SELECT g, 'customer' || g || '@example.org' FROM generate_series(1, 3000) g;
