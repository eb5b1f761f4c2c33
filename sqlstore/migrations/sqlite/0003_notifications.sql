-- Notifications, their deliveries (the outbox and the delivery log at once), idempotency,
-- opt-outs and suppressed addresses.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    subject      TEXT NOT NULL,
    message_text TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX notifications_requester ON notifications (requester_id, created_at, id);

-- The first committed answer per (requester, amz-sdk-invocation-id), replayed on SDK retries.
CREATE TABLE invocations (
    requester_id    TEXT NOT NULL REFERENCES requesters (id),
    invocation_id   TEXT NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    response        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (requester_id, invocation_id)
);
CREATE INDEX invocations_created ON invocations (created_at);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    requester_id    TEXT NOT NULL REFERENCES requesters (id),
    worker_id       TEXT NOT NULL REFERENCES workers (id),
    message_id      TEXT NOT NULL,
    -- queued, sending, delivered, deferred, bounced, expired, cancelled
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- when the row is next due; while sending, when the lease runs out
    due_at          INTEGER NOT NULL,
    lease_owner     TEXT NOT NULL DEFAULT '',
    last_attempt_at INTEGER,
    last_code       INTEGER NOT NULL DEFAULT 0,
    last_enhanced   TEXT NOT NULL DEFAULT '',
    last_text       TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (notification_id, worker_id)
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state IN ('queued', 'sending', 'deferred');
-- the per-(requester, worker) notification cap counts recent deliveries
CREATE INDEX deliveries_cap ON deliveries (requester_id, worker_id, created_at);

CREATE TABLE optouts (
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (worker_id, requester_id)
);

-- Addresses that bounced permanently, lower-cased.
CREATE TABLE suppressions (
    email      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The capture sender's mailbox.
CREATE TABLE captured_mail (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    envelope_to   TEXT NOT NULL,
    raw           TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
