-- The highest position of the change feed its prune has removed: a node whose reading stood at or below it may have
-- missed rows, and reads its whole index again (SlotFeed.Gap). It only grows.
CREATE TABLE slot_feed_state (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    pruned_through INTEGER NOT NULL
);
INSERT INTO slot_feed_state (id, pruned_through) VALUES (1, 0);
