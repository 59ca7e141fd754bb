CREATE TABLE public.events (
  id bigint NOT NULL,
  tenant_id int NOT NULL,
  kind text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id, tenant_id, created_at)
) PARTITION BY LIST (tenant_id);
CREATE TABLE public.events_small PARTITION OF public.events FOR VALUES IN (1, 2, 3);
-- a big tenant has its own partition, itself partitioned by time
CREATE TABLE public.events_big PARTITION OF public.events FOR VALUES IN (4) PARTITION BY RANGE (created_at);
CREATE TABLE public.events_big_2025 PARTITION OF public.events_big FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.events_big_rest PARTITION OF public.events_big DEFAULT;
INSERT INTO public.events SELECT g, (g % 4) + 1, CASE WHEN g % 3 = 0 THEN 'click' ELSE 'view' END,
                                 timestamptz '2025-01-01 00:00:00+00' + (g % 500) * interval '1 day'
FROM generate_series(1, 8000) g;
