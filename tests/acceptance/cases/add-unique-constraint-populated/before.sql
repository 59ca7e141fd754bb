CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL, name text);
INSERT INTO public.users SELECT g, 'user' || g || '@example.org', 'User ' || g FROM generate_series(1, 4000) g;
