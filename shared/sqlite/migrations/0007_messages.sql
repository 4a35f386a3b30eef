-- Session threads (docs/api.md#messages): one row per message, listed per session oldest first by (created_ms,
-- id) through the index; written in the transaction of its `message_received` notification.

CREATE TABLE messages (
    org        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    -- created_at in unix milliseconds: the thread's order, ties by id.
    created_ms INTEGER NOT NULL,
    -- The domain Message as JSON.
    doc        TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX messages_by_session ON messages (org, session_id, created_ms, id);
