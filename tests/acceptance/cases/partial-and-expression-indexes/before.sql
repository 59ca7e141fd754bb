CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text NOT NULL, status text NOT NULL, tenant_id integer NOT NULL, handle text NOT NULL, display_name text);
INSERT INTO public.accounts SELECT g, 'User' || g || '@Example.org', CASE WHEN g % 20 = 0 THEN 'pending' ELSE 'active' END, 1 + g % 10, 'h' || g, 'Name ' || g FROM generate_series(1, 4000) g;
