CREATE TABLE public.t (id int PRIMARY KEY, total int NOT NULL, stamp timestamptz);
INSERT INTO public.t SELECT g, g, NULL FROM generate_series(1, 1000) g;
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.stamp := now(); RETURN NEW; END';
CREATE TRIGGER t_stamp BEFORE UPDATE OF total ON public.t FOR EACH ROW WHEN (OLD.total IS DISTINCT FROM NEW.total) EXECUTE FUNCTION public.stamp();
