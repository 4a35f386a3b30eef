-- AI generation records: the truth the queue's messages point at. A worker claims one
-- conditionally on (status, claims); the embedded worker and the sweep find them through the
-- due-by-time index.

CREATE TABLE generations (
    org        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    -- The GenerationStatus in snake_case; with claims, what a conditional write compares.
    status     TEXT    NOT NULL,
    claims     INTEGER NOT NULL,
    -- due_at in unix milliseconds, rounded up: due when due_ms <= floor(now). NULL while the
    -- record is not due (finished).
    due_ms     INTEGER,
    -- The domain GenerationJob as JSON.
    doc        TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
-- The due-by-time index of generations: only records with a due time are in it.
CREATE INDEX generations_due ON generations (due_ms, org, id) WHERE due_ms IS NOT NULL;
