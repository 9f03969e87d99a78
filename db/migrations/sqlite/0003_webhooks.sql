-- One webhook endpoint per integration client. The secret signs deliveries, so it is kept (not hashed).
CREATE TABLE webhooks (
    client_id   TEXT NOT NULL PRIMARY KEY REFERENCES clients (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,   -- JSON array of event types
    updated_at  TEXT NOT NULL
);

-- The outbox fanned out per receiving client: its attempts, next try and outcome live here between job runs.
CREATE TABLE webhook_deliveries (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    outbox_id        INTEGER NOT NULL REFERENCES outbox (id),
    event_id         TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    client_id        TEXT    NOT NULL,
    order_key        TEXT    NOT NULL,   -- the booking (or slot) whose events go out in order
    status           TEXT    NOT NULL,   -- pending | delivered | failed
    attempts         INTEGER NOT NULL,
    next_attempt_at  TEXT    NOT NULL,
    lease_until      TEXT    NULL,       -- a node sending it now; another node leaves it alone until then
    last_error       TEXT    NULL,
    created_at       TEXT    NOT NULL,
    delivered_at     TEXT    NULL
);
CREATE UNIQUE INDEX ux_webhook_deliveries_event_client ON webhook_deliveries (event_id, client_id);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (client_id, order_key, id);

-- How far the fan-out has read the outbox; moved with a compare-and-set so two nodes never fan out twice.
CREATE TABLE outbox_cursors (
    name     TEXT    NOT NULL PRIMARY KEY,
    last_id  INTEGER NOT NULL
);
INSERT INTO outbox_cursors (name, last_id) VALUES ('webhooks', 0);

-- The expiry job reads unbooked slots by start across all sectors.
CREATE INDEX ix_slots_expiry ON slots (start_utc) WHERE status IN ('available', 'held');
