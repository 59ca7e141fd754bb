CREATE SCHEMA sales;
CREATE TABLE sales.customers (
  id bigint NOT NULL,
  region text NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (id, region)
) PARTITION BY LIST (region);
CREATE TABLE sales.customers_eu PARTITION OF sales.customers FOR VALUES IN ('de', 'fr', 'it');
CREATE TABLE sales.customers_us PARTITION OF sales.customers FOR VALUES IN ('us');
INSERT INTO sales.customers SELECT g, (ARRAY['de', 'fr', 'it', 'us'])[(g % 4) + 1], 'customer ' || g FROM generate_series(1, 4000) g;
