CREATE SEQUENCE public.invoice_number_seq START 100000;
CREATE TABLE public.invoices (
  id bigint PRIMARY KEY,
  number bigint NOT NULL DEFAULT nextval('public.invoice_number_seq'),
  total_cents bigint NOT NULL
);
INSERT INTO public.invoices (id, total_cents) SELECT g, g * 100 FROM generate_series(1, 2500) g;
-- no longer used by anything
CREATE SEQUENCE public.legacy_ticket_seq;
SELECT setval('public.legacy_ticket_seq', 777);
