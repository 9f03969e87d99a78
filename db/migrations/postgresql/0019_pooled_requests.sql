-- Issue #32: requests a pool of professionals can accept ("place de marché"). A professional opts in with the hours
-- they take them; a regulator posts a request for a territory and a profession; the professionals of that territory
-- in the pool are offered it; the first to accept gets it as a booking. The patient's data is kept with the request
-- only while it is open (the booking's draft, as JSON): accepted, it moves to the booking; expired or withdrawn, it is
-- cleared.
CREATE TABLE pool_members (
    rpps         VARCHAR(11) COLLATE "C"  NOT NULL CONSTRAINT pk_pool_members PRIMARY KEY CONSTRAINT fk_pool_members_rpps REFERENCES practitioners (rpps),
    weekdays     VARCHAR(32)              NOT NULL,
    from_local   VARCHAR(5)               NOT NULL,
    until_local  VARCHAR(5)               NOT NULL,
    updated_at   TIMESTAMPTZ              NOT NULL
);
CREATE TABLE pooled_requests (
    id            VARCHAR(36) COLLATE "C"  NOT NULL CONSTRAINT pk_pooled_requests PRIMARY KEY,
    client_id     VARCHAR(36) COLLATE "C"  NOT NULL,
    sector_code   VARCHAR(64) COLLATE "C"  NOT NULL,
    profession    VARCHAR(32) COLLATE "C"  NOT NULL,
    specialty     VARCHAR(10) COLLATE "C"  NULL,
    modality      VARCHAR(32) COLLATE "C"  NOT NULL,
    reason        VARCHAR(500)             NULL,
    not_before    TIMESTAMPTZ              NOT NULL,
    not_after     TIMESTAMPTZ              NOT NULL,
    status        VARCHAR(16) COLLATE "C"  NOT NULL,
    draft         TEXT                     NULL,
    accepted_by   VARCHAR(11) COLLATE "C"  NULL,
    booking_id    VARCHAR(36) COLLATE "C"  NULL,
    offered       BIGINT                   NOT NULL,
    created_at    TIMESTAMPTZ              NOT NULL,
    closed_at     TIMESTAMPTZ              NULL
);
CREATE INDEX ix_pooled_requests_open ON pooled_requests (status, not_after);
CREATE INDEX ix_pooled_requests_sector ON pooled_requests (sector_code, created_at);
CREATE TABLE pooled_request_offers (
    request_id   VARCHAR(36) COLLATE "C"  NOT NULL CONSTRAINT fk_pooled_request_offers_request REFERENCES pooled_requests (id),
    rpps         VARCHAR(11) COLLATE "C"  NOT NULL,
    CONSTRAINT pk_pooled_request_offers PRIMARY KEY (request_id, rpps)
);
CREATE INDEX ix_pooled_request_offers_rpps ON pooled_request_offers (rpps);
ALTER TABLE outbox ADD COLUMN request_id VARCHAR(36) COLLATE "C" NULL;
