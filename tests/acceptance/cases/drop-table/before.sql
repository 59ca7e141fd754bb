CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO public.accounts SELECT g, 'user' || g || '@example.org' FROM generate_series(1, 2000) g;
-- a legacy audit table the new application version no longer uses
CREATE TABLE public.legacy_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES public.accounts (id),
  kind text NOT NULL,
  happened_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX legacy_events_account_idx ON public.legacy_events (account_id);
INSERT INTO public.legacy_events (account_id, kind)
SELECT (g % 2000) + 1, CASE WHEN g % 3 = 0 THEN 'login' ELSE 'view' END FROM generate_series(1, 4000) g;
