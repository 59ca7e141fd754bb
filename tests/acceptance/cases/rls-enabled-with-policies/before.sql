DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rls_case_app') THEN CREATE ROLE rls_case_app NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rls_case_auditor') THEN CREATE ROLE rls_case_auditor NOLOGIN; END IF;
END $$;
CREATE TABLE public.documents (id bigint PRIMARY KEY, owner text NOT NULL, body text, archived boolean NOT NULL DEFAULT false);
INSERT INTO public.documents SELECT g, 'user' || (g % 10), 'text ' || g, g % 7 = 0 FROM generate_series(1, 1000) g;
GRANT SELECT, INSERT, UPDATE ON public.documents TO rls_case_app, rls_case_auditor;
