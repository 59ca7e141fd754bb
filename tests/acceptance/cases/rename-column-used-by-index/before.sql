CREATE TABLE public.shipments (
    id bigint PRIMARY KEY,
    tracking_code text NOT NULL,
    carrier text NOT NULL,
    weight_grams integer
);
CREATE INDEX shipments_tracking_code_idx ON public.shipments (tracking_code);
INSERT INTO public.shipments (id, tracking_code, carrier, weight_grams)
SELECT g, 'TRK' || lpad((g * 7919 % 100000)::text, 6, '0'), (ARRAY['ups', 'dhl', 'fedex'])[1 + g % 3],
       CASE WHEN g % 10 = 0 THEN NULL ELSE 100 + g % 5000 END
FROM generate_series(1, 4000) g;
