-- Agenda templates (docs/api.md#notes-agenda-and-action-items) by (org, id), listed by owner; and the action-item index: one row per
-- action item of a stored session, derived from the session document in the same transaction
-- as every session write (the document stays the truth; the row finds it by item id and lists
-- a user's items without reading sessions).

CREATE TABLE agenda_templates (
    org      TEXT NOT NULL,
    id       TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    -- The domain AgendaTemplate as JSON.
    doc      TEXT NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX agenda_templates_owner ON agenda_templates (org, owner_id, id);

CREATE TABLE action_items (
    org         TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    session_id  TEXT    NOT NULL,
    coach_id    TEXT    NOT NULL,
    assignee_id TEXT    NOT NULL,
    done        INTEGER NOT NULL,
    -- 0 while the session is a draft: its items are listed once it is scheduled.
    listed      INTEGER NOT NULL,
    due_date    TEXT,
    -- The domain ActionItem as JSON.
    doc         TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
CREATE INDEX action_items_by_session ON action_items (org, session_id);
-- A user's items, open ones first, each oldest first (ids are ULIDs).
CREATE INDEX action_items_by_assignee ON action_items (org, assignee_id, done, id) WHERE listed = 1;
