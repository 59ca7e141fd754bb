CREATE SCHEMA reports;
CREATE TABLE reports.sales (
    id bigint PRIMARY KEY,
    day date NOT NULL,
    amount_cents bigint NOT NULL
);
INSERT INTO reports.sales SELECT g, date '2024-01-01' + (g % 30), g FROM generate_series(1, 3000) g;
CREATE MATERIALIZED VIEW reports.daily_totals AS
    SELECT day, sum(amount_cents) AS total_cents FROM reports.sales GROUP BY day;
CREATE UNIQUE INDEX daily_totals_day_idx ON reports.daily_totals (day);
