CREATE SCHEMA shop;
CREATE TABLE shop.products (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    price_cents integer NOT NULL,
    updated_at timestamptz
);
INSERT INTO shop.products SELECT g, 'product ' || g, g * 100, NULL FROM generate_series(1, 1000) g;
