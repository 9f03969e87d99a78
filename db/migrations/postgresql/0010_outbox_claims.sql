-- The outbox is fanned out by claiming rows (FOR UPDATE SKIP LOCKED), not by a "last id read" cursor: identity values
-- are allocated before commit and commit order is not id order, so a cursor could step over an event committed late.
ALTER TABLE outbox ADD COLUMN fanned_out_at TIMESTAMPTZ NULL;
UPDATE outbox SET fanned_out_at = created_at WHERE id <= (SELECT last_id FROM outbox_cursors WHERE name = 'webhooks');
CREATE INDEX ix_outbox_waiting ON outbox (id) WHERE fanned_out_at IS NULL;
-- A booking's later event waits while an earlier one is not fanned out yet (two nodes claim different rows).
CREATE INDEX ix_outbox_waiting_booking ON outbox (booking_id, id) WHERE fanned_out_at IS NULL;
-- Deliveries keep their booking's order by the events' ids.
CREATE INDEX ix_webhook_deliveries_order_event ON webhook_deliveries (client_id, order_key, outbox_id);
DROP TABLE outbox_cursors;
