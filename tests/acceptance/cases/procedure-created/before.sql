CREATE TABLE public.events (
    id bigint PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    archived boolean NOT NULL DEFAULT false
);
INSERT INTO public.events SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day', false FROM generate_series(1, 100) g;
