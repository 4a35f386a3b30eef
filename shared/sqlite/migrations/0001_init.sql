-- The first schema: sessions (indexed columns + the whole domain Session as JSON), slot and
-- intro locks, idempotency records, coach settings, the inbox and the event outbox.

CREATE TABLE sessions (
    org       TEXT    NOT NULL,
    id        TEXT    NOT NULL,
    coach_id  TEXT    NOT NULL,
    client_id TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    -- session_sort_key(): the start in unix milliseconds, i64::MAX for drafts.
    sort_key  INTEGER NOT NULL,
    -- The start in unix seconds; NULL for a draft.
    starts_at INTEGER,
    version   INTEGER NOT NULL,
    doc       TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX sessions_by_coach  ON sessions (org, coach_id, sort_key, id);
CREATE INDEX sessions_by_client ON sessions (org, client_id, sort_key, id);
CREATE INDEX sessions_by_org    ON sessions (org, sort_key, id);
CREATE INDEX sessions_coach_start ON sessions (org, coach_id, starts_at);

-- One row per held key (LockKey::storage_key()): the primary key is the uniqueness guarantee.
CREATE TABLE locks (
    org        TEXT NOT NULL,
    key        TEXT NOT NULL,
    session_id TEXT NOT NULL,
    PRIMARY KEY (org, key)
) WITHOUT ROWID;

CREATE TABLE idempotency (
    org     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    key     TEXT NOT NULL,
    -- {request, session, created_at} as JSON.
    doc     TEXT NOT NULL,
    PRIMARY KEY (org, user_id, key)
);

CREATE TABLE coach_settings (
    org      TEXT NOT NULL,
    coach_id TEXT NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (org, coach_id)
);

CREATE TABLE notifications (
    org        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    -- Unix milliseconds.
    created_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX notifications_inbox ON notifications (org, recipient, created_at, id);

-- One event per notification, written in the same transaction, published later.
CREATE TABLE outbox (
    org          TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    -- Unix milliseconds.
    created_at   INTEGER NOT NULL,
    published_at INTEGER,
    PRIMARY KEY (org, id)
);
CREATE INDEX outbox_pending ON outbox (created_at, id) WHERE published_at IS NULL;
