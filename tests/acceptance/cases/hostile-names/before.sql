CREATE TABLE public."Bestell-Posten ""v2""; DROP TABLE x; --" (
  "id" bigint PRIMARY KEY,
  "Unit Price; ""€""" numeric(10,2) NOT NULL,
  "名前 😀" text NOT NULL,
  CONSTRAINT "price ≥ 0; --" CHECK ("Unit Price; ""€""" >= 0)
);
CREATE INDEX "idx ""price""; 価格" ON public."Bestell-Posten ""v2""; DROP TABLE x; --" ("Unit Price; ""€""");
INSERT INTO public."Bestell-Posten ""v2""; DROP TABLE x; --"
SELECT g, (g % 500) + 0.99, 'Artikel ' || g || ' ''quoted'' ; --' FROM generate_series(1, 3000) g;
