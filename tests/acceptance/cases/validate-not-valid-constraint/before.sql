CREATE TABLE public.shipments (id bigint PRIMARY KEY, weight_grams integer NOT NULL, carrier text NOT NULL);
INSERT INTO public.shipments SELECT g, 50 + (g * 11) % 20000, (ARRAY['dhl','ups','fedex'])[1 + g % 3] FROM generate_series(1, 4000) g;
-- added earlier without checking existing rows; they have been cleaned up since
ALTER TABLE public.shipments ADD CONSTRAINT shipments_weight_positive CHECK (weight_grams > 0) NOT VALID;
