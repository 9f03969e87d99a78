-- A feed row may name a range of slots, [slot_id, last_slot_id]: the rules job inserts a batch's slots (200) in one
-- transaction of the single writer, their ids consecutive, and names them in one row (RuleStore). A row per slot from
-- the trigger was a third of a slot row's cost here, SQLite having no trigger per statement (docs/benchmarks.md).
-- Every other insert of a slot, which names no rule, keeps its row from the trigger.
ALTER TABLE slot_changes ADD COLUMN last_slot_id INTEGER NULL;
DROP TRIGGER slot_changes_slot_inserted;
CREATE TRIGGER slot_changes_slot_inserted AFTER INSERT ON slots WHEN NEW.rule_id IS NULL
BEGIN INSERT INTO slot_changes (slot_id) VALUES (NEW.id); END;
