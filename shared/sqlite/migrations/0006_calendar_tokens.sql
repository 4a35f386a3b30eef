-- Calendar feed tokens (docs/api.md#calendar-feed): only the SHA-256 of each token is kept, one per (org, user). A
-- new token replaces the row's hash, so the old one stops resolving in the same statement;
-- the feed finds its user through the unique index on the hash.

CREATE TABLE calendar_tokens (
    org     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- 64 lowercase hex digits.
    hash    TEXT NOT NULL UNIQUE,
    PRIMARY KEY (org, user_id)
);
