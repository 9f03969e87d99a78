-- The feed rows of inserted slots are written once per statement: the rules job inserts 200 slots in one statement,
-- and a row trigger ran a function and its own INSERT for each, 40 % of a slot row's cost on the server
-- (docs/benchmarks.md). Updates and deletes keep the row trigger (a transition table serves one kind of event only).
CREATE FUNCTION slots_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO slot_changes (slot_id) SELECT id FROM inserted_slots;
    RETURN NULL;
END
$$;
-- As the other feed functions (0015): the migrating login's rights, this schema's slot_changes.
ALTER FUNCTION slots_inserted() SECURITY DEFINER SET search_path FROM CURRENT;

DROP TRIGGER slot_changes_slot ON slots;
CREATE TRIGGER slot_changes_slot AFTER UPDATE OR DELETE ON slots
    FOR EACH ROW EXECUTE FUNCTION slot_changed();
CREATE TRIGGER slot_changes_slots_inserted AFTER INSERT ON slots
    REFERENCING NEW TABLE AS inserted_slots
    FOR EACH STATEMENT EXECUTE FUNCTION slots_inserted();

-- SQLite names the slots a rule batch made in one feed row, [slot_id, last_slot_id] (its 0020): the same column here,
-- unused by the triggers above, keeps the two schemas alike.
ALTER TABLE slot_changes ADD COLUMN last_slot_id BIGINT NULL;
