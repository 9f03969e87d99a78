-- The change feed of the slot index each node keeps for searches: every change to a slot (its id) or to a GP's name or
-- sites (their RPPS), written by triggers so that no write path can forget it. SQLite has one writer, so the sequence
-- is the commit order: a node reads the rows after the last it read. Rows older than an hour are pruned by the expiry
-- job; a node that has not read the feed for half that time reads its whole index again.
CREATE TABLE slot_changes (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    slot_id    INTEGER NULL,
    rpps       TEXT    NULL,
    changed_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX ix_slot_changes_changed_at ON slot_changes (changed_at);

CREATE TRIGGER slot_changes_slot_inserted AFTER INSERT ON slots
BEGIN INSERT INTO slot_changes (slot_id) VALUES (NEW.id); END;
CREATE TRIGGER slot_changes_slot_updated AFTER UPDATE ON slots
BEGIN INSERT INTO slot_changes (slot_id) VALUES (NEW.id); END;
CREATE TRIGGER slot_changes_slot_deleted AFTER DELETE ON slots
BEGIN INSERT INTO slot_changes (slot_id) VALUES (OLD.id); END;

CREATE TRIGGER slot_changes_site_inserted AFTER INSERT ON practitioner_sites
BEGIN INSERT INTO slot_changes (rpps) VALUES (NEW.rpps); END;
CREATE TRIGGER slot_changes_site_updated AFTER UPDATE ON practitioner_sites
BEGIN INSERT INTO slot_changes (rpps) VALUES (NEW.rpps); END;
CREATE TRIGGER slot_changes_site_deleted AFTER DELETE ON practitioner_sites
BEGIN INSERT INTO slot_changes (rpps) VALUES (OLD.rpps); END;
CREATE TRIGGER slot_changes_practitioner_updated AFTER UPDATE ON practitioners
BEGIN INSERT INTO slot_changes (rpps) VALUES (NEW.rpps); END;
