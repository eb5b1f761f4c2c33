-- A requester's Reviewing marker on a HIT (UpdateHITReviewStatus).
ALTER TABLE hits ADD COLUMN reviewing BIGINT NOT NULL DEFAULT 0;
