CREATE TABLE public.devices (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO public.devices SELECT g, 'device ' || g FROM generate_series(1, 50) g;
CREATE TABLE public.measurements (
  id bigint NOT NULL,
  device_id bigint NOT NULL REFERENCES public.devices (id),
  taken_at timestamptz NOT NULL,
  value numeric NOT NULL,
  PRIMARY KEY (id, taken_at),
  CONSTRAINT measurements_value_check CHECK (value >= 0)
) PARTITION BY RANGE (taken_at);
CREATE INDEX measurements_device_id_idx ON public.measurements (device_id);
CREATE TABLE public.measurements_2025_01 PARTITION OF public.measurements FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
CREATE TABLE public.measurements_2025_02 PARTITION OF public.measurements FOR VALUES FROM ('2025-02-01') TO ('2025-03-01');
CREATE TABLE public.measurements_default PARTITION OF public.measurements DEFAULT;
INSERT INTO public.measurements
SELECT g, (g % 50) + 1, timestamptz '2025-01-01 00:00:00+00' + (g % 59) * interval '1 day', g % 100
FROM generate_series(1, 6000) g;
-- a few stray rows from the future sit in the default partition
INSERT INTO public.measurements VALUES (100001, 1, '2025-07-15 00:00:00+00', 1), (100002, 2, '2026-01-01 00:00:00+00', 2);
