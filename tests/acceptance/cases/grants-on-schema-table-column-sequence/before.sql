DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_case_app') THEN CREATE ROLE grants_case_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_case_support') THEN CREATE ROLE grants_case_support NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_case_other') THEN CREATE ROLE grants_case_other NOLOGIN; END IF;
END $$;
CREATE SCHEMA shop;
CREATE SEQUENCE shop.invoice_numbers;
CREATE TABLE shop.customers (id bigint PRIMARY KEY, name text NOT NULL, email text, notes text);
INSERT INTO shop.customers SELECT g, 'c' || g, 'c' || g || '@example.com', NULL FROM generate_series(1, 200) g;
-- a role the YAML does not mention: left alone
GRANT SELECT ON shop.customers TO grants_case_other;
