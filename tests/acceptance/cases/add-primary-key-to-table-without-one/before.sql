-- an event log created without a primary key; id is filled by the application and unique in practice
CREATE TABLE public.events (id bigint, kind text NOT NULL, payload text, created_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00');
INSERT INTO public.events SELECT g, (ARRAY['click','view','buy'])[1 + g % 3], 'payload ' || g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute' FROM generate_series(1, 4000) g;
