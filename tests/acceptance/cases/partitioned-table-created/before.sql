CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO public.accounts SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 500) g;
