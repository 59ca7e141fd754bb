CREATE TABLE public.projects (id bigint PRIMARY KEY, tenant_id integer NOT NULL, code text NOT NULL, title text NOT NULL);
CREATE TABLE public.tasks (id bigint PRIMARY KEY, tenant_id integer NOT NULL, project_code text, title text NOT NULL);
-- (tenant_id, code) is unique in practice but not yet declared
INSERT INTO public.projects SELECT g, 1 + g % 5, 'P' || (g / 5), 'Project ' || g FROM generate_series(1, 500) g;
-- every task points at an existing (tenant_id, code); some tasks have no project (MATCH SIMPLE lets NULLs through)
INSERT INTO public.tasks SELECT g, p.tenant_id, CASE WHEN g % 40 = 0 THEN NULL ELSE p.code END, 'Task ' || g
  FROM generate_series(1, 4000) g JOIN public.projects p ON p.id = 1 + g % 500;
CREATE INDEX tasks_tenant_project_idx ON public.tasks (tenant_id, project_code);
