CREATE TABLE public.payments (id bigint PRIMARY KEY, amount_cents integer NOT NULL, currency text NOT NULL);
-- legacy rows: some zero or negative amounts (refunds recorded the old way) and lower-case currencies
INSERT INTO public.payments SELECT g, CASE WHEN g % 100 = 0 THEN -(g % 700) ELSE 1 + (g * 7) % 9000 END, CASE WHEN g % 250 = 0 THEN 'eur' ELSE 'EUR' END FROM generate_series(1, 4000) g;
