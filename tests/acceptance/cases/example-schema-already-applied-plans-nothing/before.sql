-- The example schema (schemas/shop) written by hand the way a DBA would (inline and unnamed
-- constraints, REFERENCES without columns, unqualified names under a search_path, 'pending'
-- without a cast, BETWEEN, IN (...)), not as reconciler itself renders it, followed by some data.
CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'Online shop: customers, catalogue, orders and stock.';
CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
SET search_path = shop, public;
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled');
COMMENT ON TYPE order_status IS 'Lifecycle of an order.';
CREATE SEQUENCE invoice_number_seq START 100000;
COMMENT ON SEQUENCE invoice_number_seq IS 'Invoice numbers are gapless enough for accounting and never reused.';
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email citext NOT NULL UNIQUE,
  full_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT users_email_shape CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$')
);
COMMENT ON TABLE users IS 'Customers who can sign in and place orders.';
COMMENT ON COLUMN users.deleted_at IS 'Set when the account is closed; rows are kept for order history.';
CREATE INDEX users_active_created_idx ON users (created_at DESC) WHERE deleted_at IS NULL;
CREATE TABLE products (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku varchar(64) NOT NULL UNIQUE,
  name text NOT NULL,
  description text,
  price_cents integer NOT NULL,
  currency char(3) NOT NULL DEFAULT 'EUR',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT products_price_positive CHECK (price_cents > 0),
  CONSTRAINT products_currency_iso CHECK (currency ~ '^[A-Z]{3}$')
);
COMMENT ON TABLE products IS 'The catalogue.';
COMMENT ON COLUMN products.price_cents IS 'Price in the smallest unit of `currency`.';
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_active_price_idx ON products (price_cents) WHERE active;
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users ON DELETE RESTRICT,
  status order_status NOT NULL DEFAULT 'pending',
  total_cents bigint NOT NULL DEFAULT 0,
  placed_at timestamptz NOT NULL DEFAULT now(),
  shipped_at timestamptz,
  CONSTRAINT orders_total_not_negative CHECK (total_cents >= 0),
  CONSTRAINT orders_shipped_after_placed CHECK (shipped_at IS NULL OR shipped_at >= placed_at)
);
COMMENT ON TABLE orders IS 'One checkout by one customer.';
CREATE INDEX orders_user_placed_idx ON orders (user_id, placed_at DESC);
CREATE INDEX orders_open_idx ON orders (status) WHERE status IN ('pending', 'paid');
CREATE TABLE order_items (
  order_id bigint REFERENCES orders ON DELETE CASCADE,
  line_no smallint,
  product_id bigint NOT NULL REFERENCES products ON DELETE RESTRICT,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  line_total_cents bigint GENERATED ALWAYS AS (quantity::bigint * unit_price_cents) STORED,
  PRIMARY KEY (order_id, line_no)
);
COMMENT ON TABLE order_items IS 'Lines of an order; prices are copied so later catalogue changes do not alter history.';
CREATE INDEX ON order_items (product_id);
CREATE TABLE inventory (
  product_id bigint REFERENCES products ON DELETE CASCADE,
  warehouse_code varchar(8) COLLATE "C",
  quantity_on_hand integer NOT NULL DEFAULT 0,
  reserved integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, warehouse_code),
  CONSTRAINT inventory_quantities_valid CHECK (quantity_on_hand >= 0 AND reserved BETWEEN 0 AND quantity_on_hand)
);
COMMENT ON TABLE inventory IS 'Stock per product and warehouse.';
CREATE INDEX inventory_warehouse_idx ON inventory (warehouse_code) INCLUDE (quantity_on_hand);
RESET search_path;

-- some data
INSERT INTO shop.users (email, full_name)
SELECT 'user' || g || '@example.org', 'User ' || g FROM generate_series(1, 500) g;
INSERT INTO shop.products (sku, name, price_cents)
SELECT 'SKU-' || g, 'Product ' || g, 100 + g FROM generate_series(1, 300) g;
INSERT INTO shop.inventory (product_id, warehouse_code, quantity_on_hand, reserved)
SELECT id, w, 50, 5 FROM shop.products CROSS JOIN (VALUES ('BER1'), ('PAR2')) v(w);
INSERT INTO shop.orders (user_id, status, placed_at)
SELECT id, (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled']::shop.order_status[])[(row_number() OVER () % 5) + 1], now() - interval '1 day'
FROM shop.users;
INSERT INTO shop.order_items (order_id, line_no, product_id, quantity, unit_price_cents)
SELECT o.id, n, ((o.id * 7 + n) % 300) + 1, n, 250 FROM shop.orders o CROSS JOIN generate_series(1, 3) n;
SELECT nextval('shop.invoice_number_seq') FROM generate_series(1, 25);
