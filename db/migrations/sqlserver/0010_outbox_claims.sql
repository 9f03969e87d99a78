-- The outbox is fanned out by claiming rows (UPDLOCK, READPAST), not by a "last id read" cursor: identity values are
-- allocated before commit and commit order is not id order, so a cursor could step over an event committed late.
ALTER TABLE dbo.outbox ADD fanned_out_at DATETIME2(0) NULL;
GO

UPDATE dbo.outbox SET fanned_out_at = created_at WHERE id <= (SELECT last_id FROM dbo.outbox_cursors WHERE name = N'webhooks');
CREATE INDEX ix_outbox_waiting ON dbo.outbox (id) WHERE fanned_out_at IS NULL;
-- A booking's later event waits while an earlier one is not fanned out yet (two nodes claim different rows).
CREATE INDEX ix_outbox_waiting_booking ON dbo.outbox (booking_id, id) WHERE fanned_out_at IS NULL;
-- Deliveries keep their booking's order by the events' ids.
CREATE INDEX ix_webhook_deliveries_order_event ON dbo.webhook_deliveries (client_id, order_key, outbox_id);
DROP TABLE dbo.outbox_cursors;
