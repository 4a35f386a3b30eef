-- Outbound webhooks (not the evaluation webhook's webhook_deliveries of 0003): an org's
-- endpoints and the deliveries of its events to them. Both are written conditionally on
-- `version`; a pending delivery is in the due-by-time index.

CREATE TABLE outbound_endpoints (
    org     TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    version INTEGER NOT NULL,
    -- The domain WebhookEndpoint as JSON.
    doc     TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);

CREATE TABLE outbound_deliveries (
    org         TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    endpoint_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    -- created_at in unix microseconds: the list's order (newest first).
    created_us  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    -- next_attempt_at in unix milliseconds, rounded up; NULL once it is not pending.
    due_ms      INTEGER,
    -- The domain Delivery as JSON.
    doc         TEXT    NOT NULL,
    PRIMARY KEY (org, id)
);
-- An endpoint's deliveries, newest first, with or without a status.
CREATE INDEX outbound_deliveries_by_endpoint
    ON outbound_deliveries (org, endpoint_id, created_us DESC, id DESC);
CREATE INDEX outbound_deliveries_by_endpoint_status
    ON outbound_deliveries (org, endpoint_id, status, created_us DESC, id DESC);
-- The due-by-time index of deliveries: only pending ones are in it.
CREATE INDEX outbound_deliveries_due ON outbound_deliveries (due_ms, org, id) WHERE due_ms IS NOT NULL;
