CREATE SCHEMA shop;
CREATE DOMAIN shop.amount AS integer CHECK (VALUE >= 0);
CREATE TYPE shop.state AS ENUM ('open', 'closed');
CREATE TYPE shop.pair AS (a integer, b integer);
CREATE TABLE shop.tickets (id bigint PRIMARY KEY, price shop.amount, state shop.state NOT NULL);
INSERT INTO shop.tickets SELECT g, g, 'open' FROM generate_series(1, 1000) g;
CREATE FUNCTION shop.doubled(x shop.amount) RETURNS shop.amount LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
CREATE FUNCTION shop.is_open(s shop.state) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT s = ''open''';
CREATE FUNCTION shop.total(p shop.pair) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT p.a + p.b';
