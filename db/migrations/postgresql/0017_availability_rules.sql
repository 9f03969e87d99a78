-- Recurring availability (plages): "every Tuesday afternoon" given once by the practice; the rules job makes its slots
-- ahead of the sector's booking horizon. A rule's slot carries its rule: one slot per rule and start, whichever node
-- makes it, and a sync of the practice software never withdraws it.
CREATE TABLE availability_rules (
    id             VARCHAR(64) COLLATE "C"  NOT NULL CONSTRAINT pk_availability_rules PRIMARY KEY,
    rpps           VARCHAR(11) COLLATE "C"  NOT NULL CONSTRAINT fk_availability_rules_rpps REFERENCES practitioners (rpps),
    sector_code    VARCHAR(64) COLLATE "C"  NOT NULL,
    site_id        VARCHAR(64) COLLATE "C"  NOT NULL,
    modality       VARCHAR(32) COLLATE "C"  NOT NULL,
    weekdays       VARCHAR(32)              NOT NULL,
    every_weeks    BIGINT                   NOT NULL,
    start_local    VARCHAR(5)               NOT NULL,
    end_local      VARCHAR(5)               NOT NULL,
    slot_minutes   BIGINT                   NOT NULL,
    from_date      VARCHAR(10)              NOT NULL,
    until_date     VARCHAR(10)              NULL,
    skip_holidays  BIGINT                   NOT NULL,
    exceptions     TEXT                     NOT NULL,
    created_by     VARCHAR(36) COLLATE "C"  NOT NULL,
    created_at     TIMESTAMPTZ              NOT NULL
);
CREATE INDEX ix_availability_rules_rpps ON availability_rules (rpps);
ALTER TABLE slots ADD COLUMN rule_id VARCHAR(64) COLLATE "C" NULL;
CREATE UNIQUE INDEX ux_slots_rule_start ON slots (rule_id, start_utc) WHERE rule_id IS NOT NULL;
