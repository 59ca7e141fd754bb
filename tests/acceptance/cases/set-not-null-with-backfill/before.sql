CREATE TABLE public.tickets (
    id bigint PRIMARY KEY,
    subject text NOT NULL,
    priority text,
    opened_at timestamptz NOT NULL
);
-- one ticket in eight has no priority
INSERT INTO public.tickets (id, subject, priority, opened_at)
SELECT g, 'ticket ' || g, CASE WHEN g % 8 = 0 THEN NULL ELSE (ARRAY['low', 'high', 'urgent'])[1 + g % 3] END,
       timestamptz '2024-05-01 00:00:00+00' + g * interval '5 minutes'
FROM generate_series(1, 4000) g;
