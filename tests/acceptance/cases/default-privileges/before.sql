DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'defaults_case_owner') THEN CREATE ROLE defaults_case_owner NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'defaults_case_reader') THEN CREATE ROLE defaults_case_reader NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'defaults_case_writer') THEN CREATE ROLE defaults_case_writer NOLOGIN; END IF;
END $$;
CREATE SCHEMA reports;
ALTER DEFAULT PRIVILEGES FOR ROLE defaults_case_owner IN SCHEMA reports GRANT SELECT, INSERT ON TABLES TO defaults_case_writer;
