CREATE TABLE public.addresses (
    id bigint PRIMARY KEY,
    street text NOT NULL,
    city text NOT NULL,
    region text NOT NULL
);
CREATE INDEX addresses_region_idx ON public.addresses (region);
INSERT INTO public.addresses (id, street, city, region)
SELECT g, g || ' Main Street', 'City ' || (g % 97), 'Region ' || (g % 13) FROM generate_series(1, 4000) g;
-- outside the managed schema: the files before the migration, to prove nothing is rewritten
CREATE SCHEMA probe;
CREATE TABLE probe.files AS
SELECT relname::text AS relname, relfilenode FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relname IN ('addresses', 'addresses_pkey', 'addresses_region_idx');
