CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO public.accounts SELECT g, 'account ' || g FROM generate_series(1, 2000) g;
