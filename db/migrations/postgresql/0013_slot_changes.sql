-- The change feed of the slot index each node keeps for searches: every change to a slot (its id) or to a GP's name or
-- sites (their RPPS), written by triggers so that no write path can forget it. Sequence numbers are taken before
-- commit, so they do not give the commit order here: each row carries its transaction id, and a node reads again every
-- row whose transaction was not yet finished at its last read (pg_snapshot_xmin). Rows older than an hour are pruned
-- by the expiry job; a node that has not read the feed for half that time reads its whole index again.
CREATE TABLE slot_changes (
    seq        BIGSERIAL   PRIMARY KEY,
    slot_id    BIGINT      NULL,
    rpps       TEXT        NULL,
    tx         BIGINT      NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_slot_changes_tx ON slot_changes (tx);
CREATE INDEX ix_slot_changes_changed_at ON slot_changes (changed_at);

CREATE FUNCTION slot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO slot_changes (slot_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END
$$;
CREATE TRIGGER slot_changes_slot AFTER INSERT OR UPDATE OR DELETE ON slots
    FOR EACH ROW EXECUTE FUNCTION slot_changed();

CREATE FUNCTION gp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO slot_changes (rpps) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.rpps ELSE NEW.rpps END);
    RETURN NULL;
END
$$;
CREATE TRIGGER slot_changes_site AFTER INSERT OR UPDATE OR DELETE ON practitioner_sites
    FOR EACH ROW EXECUTE FUNCTION gp_changed();
CREATE TRIGGER slot_changes_practitioner AFTER UPDATE ON practitioners
    FOR EACH ROW EXECUTE FUNCTION gp_changed();
