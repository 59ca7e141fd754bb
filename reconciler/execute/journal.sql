-- reconciler's journal, in the database it changes (schema "reconciler").
-- One row per plan and per step; at most one plan is active at a time (partial unique index);
-- step state changes are written in the same transaction as the step itself, so a killed run
-- resumes exactly at the first step that did not commit.
CREATE SCHEMA IF NOT EXISTS reconciler;
COMMENT ON SCHEMA reconciler IS 'reconciler: migration journal (managed by reconciler, do not edit)';

CREATE TABLE IF NOT EXISTS reconciler.plans (
    digest           text PRIMARY KEY,
    source_hash      text NOT NULL,
    target_hash      text NOT NULL,
    plan             jsonb NOT NULL,
    state            text NOT NULL CHECK (state IN ('running', 'waiting', 'failed', 'done', 'abandoned')),
    checkpoint_hash  text,
    message          text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS plans_one_active ON reconciler.plans ((true))
    WHERE state IN ('running', 'waiting', 'failed');

CREATE TABLE IF NOT EXISTS reconciler.steps (
    digest           text NOT NULL REFERENCES reconciler.plans ON DELETE CASCADE,
    step_id          text NOT NULL,
    position         integer NOT NULL,
    phase            text NOT NULL,
    description      text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    started_at       timestamptz,
    finished_at      timestamptz,
    error            text,
    backup_file      text,
    restore_command  text,
    checkpoint       jsonb,
    rows_done        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (digest, step_id)
);

CREATE TABLE IF NOT EXISTS reconciler.events (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    digest   text,
    step_id  text,
    kind     text NOT NULL,
    detail   jsonb
);
