-- A booking moved to another professional's slot is told to the practice it left as well as the one it reached:
-- the event names the professional it left, and the fan-out matches a practice client on either.
ALTER TABLE outbox ADD COLUMN previous_rpps VARCHAR(11) COLLATE "C" NULL;
