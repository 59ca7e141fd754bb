CREATE TYPE public.ticket_state AS ENUM ('open', 'waiting', 'legacy', 'closed');
CREATE TABLE public.tickets (
  id bigint PRIMARY KEY,
  state public.ticket_state NOT NULL DEFAULT 'open',
  title text NOT NULL,
  CONSTRAINT tickets_closed_has_title CHECK (state <> 'closed' OR title <> '')
);
CREATE INDEX tickets_open_idx ON public.tickets (id) WHERE state IN ('open', 'waiting');
INSERT INTO public.tickets SELECT g, (ARRAY['open', 'waiting', 'closed']::public.ticket_state[])[1 + g % 3], 'ticket ' || g FROM generate_series(1, 3000) g;
