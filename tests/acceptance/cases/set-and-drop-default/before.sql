CREATE TABLE public.subscriptions (
    id bigint PRIMARY KEY,
    plan text NOT NULL,
    status text NOT NULL,
    seats integer NOT NULL DEFAULT 1
);
INSERT INTO public.subscriptions (id, plan, status, seats)
SELECT g, (ARRAY['free', 'team', 'enterprise'])[1 + g % 3], (ARRAY['active', 'paused'])[1 + g % 2], 1 + g % 20
FROM generate_series(1, 3000) g;
-- outside the managed schema: the table's file before the migration, to prove it is not rewritten
CREATE SCHEMA probe;
CREATE TABLE probe.files AS
SELECT relname::text AS relname, relfilenode FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relname IN ('subscriptions', 'subscriptions_pkey');
