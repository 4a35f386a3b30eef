-- Reschedule requests, waiting reminders (both in a due-by-time index), and claims on outbox
-- events.

CREATE TABLE reschedule_requests (
    org        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    coach_id   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    -- expires_at in unix milliseconds, rounded up: due when expires_ms <= floor(now).
    expires_ms INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX requests_by_coach  ON reschedule_requests (org, coach_id, id);
CREATE INDEX requests_by_client ON reschedule_requests (org, client_id, id);
-- The due-by-time index of requests: only pending ones are in it.
CREATE INDEX requests_due ON reschedule_requests (expires_ms, org, id) WHERE status = 'pending';

-- One row per reminder waiting to be sent; the job deletes it when it sends (or drops) it.
CREATE TABLE reminders (
    org        TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    -- due_at in unix milliseconds, rounded up.
    due_ms     INTEGER NOT NULL,
    -- The Reminder as JSON: a take deletes the row only when it is exactly this.
    doc        TEXT    NOT NULL,
    PRIMARY KEY (org, session_id, kind)
) WITHOUT ROWID;
CREATE INDEX reminders_due ON reminders (due_ms, org, session_id, kind);

-- An event claimed by a relay is not handed out again before this (unix milliseconds).
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
