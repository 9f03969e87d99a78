-- Issue #32: requests a pool of professionals can accept ("place de marché"). A professional opts in with the hours
-- they take them; a regulator posts a request for a territory and a profession; the professionals of that territory
-- in the pool are offered it; the first to accept gets it as a booking. The patient's data is kept with the request
-- only while it is open (the booking's draft, as JSON): accepted, it moves to the booking; expired or withdrawn, it is
-- cleared.
CREATE TABLE dbo.pool_members (
    rpps         NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_pool_members PRIMARY KEY CONSTRAINT fk_pool_members_rpps REFERENCES dbo.practitioners (rpps),
    weekdays     NVARCHAR(32)   NOT NULL,
    from_local   NVARCHAR(5)    NOT NULL,
    until_local  NVARCHAR(5)    NOT NULL,
    updated_at   DATETIME2(0)   NOT NULL
);
CREATE TABLE dbo.pooled_requests (
    id            NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_pooled_requests PRIMARY KEY,
    client_id     NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL,
    sector_code   NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    profession    NVARCHAR(32) COLLATE Latin1_General_100_BIN2  NOT NULL,
    specialty     NVARCHAR(10) COLLATE Latin1_General_100_BIN2  NULL,
    modality      NVARCHAR(32) COLLATE Latin1_General_100_BIN2  NOT NULL,
    reason        NVARCHAR(500)  NULL,
    not_before    DATETIME2(0)   NOT NULL,
    not_after     DATETIME2(0)   NOT NULL,
    status        NVARCHAR(16) COLLATE Latin1_General_100_BIN2  NOT NULL,
    draft         NVARCHAR(MAX)  NULL,
    accepted_by   NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NULL,
    booking_id    NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NULL,
    offered       BIGINT         NOT NULL,
    created_at    DATETIME2(0)   NOT NULL,
    closed_at     DATETIME2(0)   NULL
);
CREATE INDEX ix_pooled_requests_open ON dbo.pooled_requests (status, not_after);
CREATE INDEX ix_pooled_requests_sector ON dbo.pooled_requests (sector_code, created_at);
CREATE TABLE dbo.pooled_request_offers (
    request_id   NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT fk_pooled_request_offers_request REFERENCES dbo.pooled_requests (id),
    rpps         NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL,
    CONSTRAINT pk_pooled_request_offers PRIMARY KEY (request_id, rpps)
);
CREATE INDEX ix_pooled_request_offers_rpps ON dbo.pooled_request_offers (rpps);
GO
ALTER TABLE dbo.outbox ADD request_id NVARCHAR(36) COLLATE Latin1_General_100_BIN2 NULL;
GO
