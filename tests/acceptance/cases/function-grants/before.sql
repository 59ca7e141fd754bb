DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fgrant_case_app') THEN CREATE ROLE fgrant_case_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fgrant_case_other') THEN CREATE ROLE fgrant_case_other NOLOGIN; END IF;
END $$;
CREATE TABLE public.accounts (id bigint PRIMARY KEY, balance numeric(12, 2) NOT NULL DEFAULT 0);
-- exists already, with PostgreSQL's default ACL: PUBLIC may execute it
CREATE FUNCTION public.balance_of(account bigint) RETURNS numeric LANGUAGE sql STABLE
  AS 'SELECT balance FROM public.accounts WHERE id = account';
