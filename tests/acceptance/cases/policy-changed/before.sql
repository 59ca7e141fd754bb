DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'policy_case_app') THEN CREATE ROLE policy_case_app NOLOGIN; END IF;
END $$;
CREATE TABLE public.notes (id bigint PRIMARY KEY, owner text NOT NULL, shared boolean NOT NULL DEFAULT false, body text);
INSERT INTO public.notes SELECT g, 'user' || (g % 5), g % 3 = 0, 'note ' || g FROM generate_series(1, 500) g;
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_read ON public.notes FOR SELECT TO policy_case_app USING (owner = current_user);
CREATE POLICY notes_write ON public.notes FOR UPDATE TO policy_case_app USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY leftover ON public.notes FOR DELETE TO policy_case_app USING (false);
