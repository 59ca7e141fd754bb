-- ids were handed out by the application (max(id) + 1, with gaps from deleted notes)
CREATE TABLE public.notes (
  id integer NOT NULL,
  body text NOT NULL,
  CONSTRAINT notes_pkey PRIMARY KEY (id)
);
INSERT INTO public.notes SELECT g, 'note ' || g FROM generate_series(1, 3500) g WHERE g % 7 <> 0;
