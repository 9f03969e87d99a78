-- The highest position (transaction id) of the change feed its prune has removed: a node whose reading stood at or
-- below it may have missed rows, and reads its whole index again (SlotFeed.Gap). It only grows.
CREATE TABLE slot_feed_state (
    id             INTEGER NOT NULL CONSTRAINT pk_slot_feed_state PRIMARY KEY CONSTRAINT ck_slot_feed_state_one CHECK (id = 1),
    pruned_through BIGINT  NOT NULL
);
INSERT INTO slot_feed_state (id, pruned_through) VALUES (1, 0);

-- The feed's triggers run with the rights of the login that migrated (the owner of slot_changes and its sequence):
-- a node may then run with read/write rights on the tables it writes only, and a booking still writes its feed row.
-- The search path is fixed to this schema, so that no caller's path can put another slot_changes in its place.
ALTER FUNCTION slot_changed() SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION gp_changed() SECURITY DEFINER SET search_path FROM CURRENT;
