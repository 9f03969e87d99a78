-- Recurring availability (plages): "every Tuesday afternoon" given once by the practice; the rules job makes its slots
-- ahead of the sector's booking horizon. A rule's slot carries its rule: one slot per rule and start, whichever node
-- makes it, and a sync of the practice software never withdraws it.
CREATE TABLE dbo.availability_rules (
    id             NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_availability_rules PRIMARY KEY,
    rpps           NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT fk_availability_rules_rpps REFERENCES dbo.practitioners (rpps),
    sector_code    NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    site_id        NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    modality       NVARCHAR(32) COLLATE Latin1_General_100_BIN2  NOT NULL,
    weekdays       NVARCHAR(32)   NOT NULL,
    every_weeks    BIGINT         NOT NULL,
    start_local    NVARCHAR(5)    NOT NULL,
    end_local      NVARCHAR(5)    NOT NULL,
    slot_minutes   BIGINT         NOT NULL,
    from_date      NVARCHAR(10)   NOT NULL,
    until_date     NVARCHAR(10)   NULL,
    skip_holidays  BIGINT         NOT NULL,
    exceptions     NVARCHAR(MAX)  NOT NULL,
    created_by     NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL,
    created_at     DATETIME2(0)   NOT NULL
);
CREATE INDEX ix_availability_rules_rpps ON dbo.availability_rules (rpps);
ALTER TABLE dbo.slots ADD rule_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL;
GO
CREATE UNIQUE INDEX ux_slots_rule_start ON dbo.slots (rule_id, start_utc) WHERE rule_id IS NOT NULL;
GO
