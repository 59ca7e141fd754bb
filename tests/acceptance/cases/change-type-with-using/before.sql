CREATE TABLE public.invoices (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    amount text NOT NULL,
    CONSTRAINT invoices_amount_not_blank CHECK (amount <> '')
);
CREATE INDEX invoices_amount_idx ON public.invoices (amount);
-- numbers as text, some with surrounding spaces (as imported from a CSV)
INSERT INTO public.invoices (id, customer, amount)
SELECT g, 'customer ' || (g % 300),
       CASE g % 4 WHEN 0 THEN ' ' || (g * 31 % 100000) WHEN 1 THEN (g * 31 % 100000) || '  ' ELSE (g * 31 % 100000)::text END
FROM generate_series(1, 4000) g;
