CREATE TABLE public.contacts (
    id bigint PRIMARY KEY,
    phone varchar(20) NOT NULL,
    display_name varchar(30),
    note text
);
CREATE INDEX contacts_phone_idx ON public.contacts (phone);
CREATE INDEX contacts_display_name_idx ON public.contacts (display_name);
INSERT INTO public.contacts (id, phone, display_name, note)
SELECT g, '+33 6 ' || lpad((g * 104729 % 100000000)::text, 8, '0'),
       CASE WHEN g % 7 = 0 THEN NULL ELSE 'Contact number ' || g END,
       'note ' || g
FROM generate_series(1, 4000) g;
-- outside the managed schema: the files of the table and its indexes before the migration, to
-- prove afterwards that nothing was rewritten or rebuilt
CREATE SCHEMA probe;
CREATE TABLE probe.files AS
SELECT relname::text AS relname, relfilenode FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relname IN ('contacts', 'contacts_pkey', 'contacts_phone_idx', 'contacts_display_name_idx');
