DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'revoke_case_app') THEN CREATE ROLE revoke_case_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'revoke_case_batch') THEN CREATE ROLE revoke_case_batch NOLOGIN; END IF;
END $$;
CREATE TABLE public.events (id bigint PRIMARY KEY, kind text NOT NULL, payload jsonb);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.events TO revoke_case_app WITH GRANT OPTION;
GRANT SELECT, DELETE ON public.events TO revoke_case_batch;
