-- Evaluations pushed by webhooks (one row per evaluation: the state of its highest-ranked
-- delivery), the webhook ids already recorded, and org-level records: settings, the webhook
-- secret and knowledge-base articles.

CREATE TABLE evaluations (
    org           TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    -- delivery_rank() of the stored state: only a delivery of higher rank replaces it.
    delivery_rank INTEGER NOT NULL,
    -- The five columns below are all NULL for a tombstone (`evaluation.deleted`), which no
    -- read returns.
    coachee_id    TEXT,
    scorecard_id  TEXT,
    -- evaluated_at in unix milliseconds, rounded down: the list order's sort key
    -- (evaluation_cursor) ...
    evaluated_ms  INTEGER,
    -- ... and the nanoseconds within that millisecond, so that time bounds are exact.
    evaluated_ns  INTEGER,
    -- The domain Evaluation as JSON.
    doc           TEXT,
    PRIMARY KEY (org, id)
);
-- A coachee's evaluations by time: lists walk it backwards, statistics read one range of it.
CREATE INDEX evaluations_by_coachee ON evaluations (org, coachee_id, evaluated_ms, id);

-- Webhook ids recorded, each at least until remember_until (unix seconds, rounded up);
-- deliveries prune expired ones a few at a time.
CREATE TABLE webhook_deliveries (
    org            TEXT    NOT NULL,
    webhook_id     TEXT    NOT NULL,
    remember_until INTEGER NOT NULL,
    PRIMARY KEY (org, webhook_id)
);
CREATE INDEX webhook_deliveries_expiry ON webhook_deliveries (remember_until);

CREATE TABLE org_settings (
    org TEXT NOT NULL PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE webhook_secrets (
    org    TEXT NOT NULL PRIMARY KEY,
    secret TEXT NOT NULL
);

CREATE TABLE kb_articles (
    org TEXT NOT NULL,
    id  TEXT NOT NULL,
    -- The domain KbArticle as JSON.
    doc TEXT NOT NULL,
    PRIMARY KEY (org, id)
);
