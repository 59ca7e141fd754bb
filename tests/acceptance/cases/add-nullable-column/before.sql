CREATE TABLE public.customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.customers (id, email, created_at)
SELECT g, 'customer' || g || '@example.org', timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 3000) g;
