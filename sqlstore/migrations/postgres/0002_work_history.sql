-- The work history: workers, HIT types, HITs, assignments, blocks, and the eligibility fact
-- NotifyWorkers depends on.
CREATE TABLE workers (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE hit_types (
    id                          TEXT PRIMARY KEY,
    requester_id                TEXT NOT NULL REFERENCES requesters (id),
    -- the hash of the type's properties: identical properties give the same HITTypeId, as in MTurk
    fingerprint                 TEXT NOT NULL,
    title                       TEXT NOT NULL,
    description                 TEXT NOT NULL,
    keywords                    TEXT NOT NULL DEFAULT '',
    reward                      TEXT NOT NULL,
    assignment_duration_seconds BIGINT NOT NULL,
    auto_approval_delay_seconds BIGINT NOT NULL,
    qualification_requirements  TEXT NOT NULL DEFAULT '[]',
    created_at                  BIGINT NOT NULL,
    UNIQUE (requester_id, fingerprint)
);

CREATE TABLE hits (
    id                    TEXT PRIMARY KEY,
    requester_id          TEXT NOT NULL REFERENCES requesters (id),
    hit_type_id           TEXT NOT NULL REFERENCES hit_types (id),
    hit_group_id          TEXT NOT NULL,
    hit_layout_id         TEXT NOT NULL DEFAULT '',
    question              TEXT NOT NULL,
    requester_annotation  TEXT NOT NULL DEFAULT '',
    unique_request_token  TEXT,
    max_assignments       BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    review_status         TEXT NOT NULL DEFAULT 'NotReviewed',
    disposed              BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL,
    UNIQUE (requester_id, unique_request_token)
);
CREATE INDEX hits_requester ON hits (requester_id, created_at, id);

CREATE TABLE assignments (
    id                 TEXT PRIMARY KEY,
    hit_id             TEXT NOT NULL REFERENCES hits (id),
    requester_id       TEXT NOT NULL REFERENCES requesters (id),
    worker_id          TEXT NOT NULL REFERENCES workers (id),
    -- Accepted, Submitted, Approved, Rejected, Returned, Abandoned
    status             TEXT NOT NULL,
    accepted_at        BIGINT NOT NULL,
    deadline_at        BIGINT NOT NULL,
    submitted_at       BIGINT,
    auto_approve_at    BIGINT,
    approved_at        BIGINT,
    rejected_at        BIGINT,
    answer             TEXT NOT NULL DEFAULT '',
    requester_feedback TEXT NOT NULL DEFAULT '',
    UNIQUE (hit_id, worker_id)
);
CREATE INDEX assignments_hit ON assignments (hit_id, status);
CREATE INDEX assignments_auto_approve ON assignments (auto_approve_at) WHERE status = 'Submitted';

-- One row per (requester, worker) once any assignment of theirs was Approved or Rejected:
-- NotifyWorkers answers eligibility for 100 workers with one primary-key lookup.
CREATE TABLE reviewed_workers (
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    first_at     BIGINT NOT NULL,
    PRIMARY KEY (requester_id, worker_id)
);

CREATE TABLE worker_blocks (
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    worker_id    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (requester_id, worker_id)
);
