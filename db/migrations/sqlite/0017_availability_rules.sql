-- Recurring availability (plages): "every Tuesday afternoon" given once by the practice; the rules job makes its slots
-- ahead of the sector's booking horizon. A rule's slot carries its rule: one slot per rule and start, whichever node
-- makes it, and a sync of the practice software never withdraws it.
CREATE TABLE availability_rules (
    id             TEXT    NOT NULL PRIMARY KEY,
    rpps           TEXT    NOT NULL REFERENCES practitioners (rpps),
    sector_code    TEXT    NOT NULL,
    site_id        TEXT    NOT NULL,
    modality       TEXT    NOT NULL,
    weekdays       TEXT    NOT NULL,
    every_weeks    INTEGER NOT NULL,
    start_local    TEXT    NOT NULL,
    end_local      TEXT    NOT NULL,
    slot_minutes   INTEGER NOT NULL,
    from_date      TEXT    NOT NULL,
    until_date     TEXT    NULL,
    skip_holidays  INTEGER NOT NULL,
    exceptions     TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX ix_availability_rules_rpps ON availability_rules (rpps);
ALTER TABLE slots ADD COLUMN rule_id TEXT NULL;
CREATE UNIQUE INDEX ux_slots_rule_start ON slots (rule_id, start_utc) WHERE rule_id IS NOT NULL;
