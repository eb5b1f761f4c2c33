-- Requesters and their SigV4 access keys. Times are Unix milliseconds (UTC).
CREATE TABLE requesters (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    balance_cents BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE access_keys (
    id           TEXT PRIMARY KEY,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX access_keys_requester ON access_keys (requester_id);

-- Per-deployment keys (HMAC keys for pagination and unsubscribe tokens), made once and shared
-- by every node on the database.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
