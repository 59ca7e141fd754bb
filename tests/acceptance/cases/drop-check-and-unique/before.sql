CREATE TABLE public.coupons (id bigint PRIMARY KEY, code text NOT NULL, percent_off integer NOT NULL,
  CONSTRAINT coupons_code_key UNIQUE (code),
  CONSTRAINT coupons_percent_off_check CHECK (percent_off BETWEEN 1 AND 50));
INSERT INTO public.coupons SELECT g, 'CODE' || g, 1 + g % 50 FROM generate_series(1, 3000) g;
