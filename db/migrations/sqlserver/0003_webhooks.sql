CREATE TABLE dbo.webhooks (
    client_id   NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_webhooks PRIMARY KEY CONSTRAINT fk_webhooks_client REFERENCES dbo.clients (id),
    url         NVARCHAR(500)  NOT NULL,
    secret      NVARCHAR(200)  NOT NULL,
    events      NVARCHAR(500)  NOT NULL,
    updated_at  DATETIME2(0)   NOT NULL
);

CREATE TABLE dbo.webhook_deliveries (
    id               BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_webhook_deliveries PRIMARY KEY,
    outbox_id        BIGINT         NOT NULL CONSTRAINT fk_webhook_deliveries_outbox REFERENCES dbo.outbox (id),
    event_id         NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL,
    event_type       NVARCHAR(40) COLLATE Latin1_General_100_BIN2   NOT NULL,
    client_id        NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL,
    order_key        NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    status           NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NOT NULL,
    attempts         BIGINT         NOT NULL,
    next_attempt_at  DATETIME2(0)   NOT NULL,
    lease_until      DATETIME2(0)   NULL,
    last_error       NVARCHAR(500)  NULL,
    created_at       DATETIME2(0)   NOT NULL,
    delivered_at     DATETIME2(0)   NULL
);
CREATE UNIQUE INDEX ux_webhook_deliveries_event_client ON dbo.webhook_deliveries (event_id, client_id);
CREATE INDEX ix_webhook_deliveries_due ON dbo.webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON dbo.webhook_deliveries (client_id, order_key, id);

CREATE TABLE dbo.outbox_cursors (
    name     NVARCHAR(40) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_outbox_cursors PRIMARY KEY,
    last_id  BIGINT       NOT NULL
);
INSERT INTO dbo.outbox_cursors (name, last_id) VALUES ('webhooks', 0);

CREATE INDEX ix_slots_expiry ON dbo.slots (start_utc) WHERE status IN ('available', 'held');
