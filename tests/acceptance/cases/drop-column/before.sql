CREATE TABLE public.users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    legacy_score integer,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.users (id, email, legacy_score, created_at)
SELECT g, 'user' || g || '@example.org', CASE WHEN g % 3 = 0 THEN NULL ELSE g % 100 END,
       timestamptz '2024-03-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 3000) g;
CREATE INDEX users_legacy_score_idx ON public.users (legacy_score); ALTER TABLE public.users ADD CONSTRAINT users_score_chk CHECK (legacy_score >= 0);
