CREATE SCHEMA app;
CREATE TABLE app.users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz
);
INSERT INTO app.users SELECT g, 'u' || g || '@example.org', g % 4 <> 0, NULL FROM generate_series(1, 400) g;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.user_list AS SELECT id, email, active FROM app.users;
