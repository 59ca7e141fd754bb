CREATE TABLE public.accounts (
    id bigint PRIMARY KEY,
    email text NOT NULL
);
INSERT INTO public.accounts SELECT g, 'User' || g || '@Example.org' FROM generate_series(1, 500) g;
CREATE FUNCTION public.normalized_email(address text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT lower(address)';
CREATE INDEX accounts_email_idx ON public.accounts (public.normalized_email(email));
CREATE VIEW public.account_emails AS SELECT id, public.normalized_email(email) AS email FROM public.accounts;
