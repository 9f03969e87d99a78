-- Holds live on the slot row (hold_id, held_by, hold_expires_at); this finds a hold by its id.
CREATE INDEX ix_slots_hold ON dbo.slots (hold_id) WHERE hold_id IS NOT NULL;

-- A booking's id is a random GUID (in URLs, webhooks, the platform's appointments): its primary key is nonclustered,
-- and the table is clustered on a sequence, so inserts append instead of splitting pages all over the table.
CREATE TABLE dbo.bookings (
    seq                          BIGINT IDENTITY(1, 1) NOT NULL,
    id                           NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_bookings PRIMARY KEY NONCLUSTERED,
    slot_id                      BIGINT         NULL CONSTRAINT fk_bookings_slot REFERENCES dbo.slots (id),
    rpps                         NVARCHAR(11) COLLATE Latin1_General_100_BIN2   NOT NULL,
    sector_code                  NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    site_id                      NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NULL,
    start_utc                    DATETIME2(0)   NULL,
    end_utc                      DATETIME2(0)   NULL,
    overflow                     BIGINT         NOT NULL,
    overflow_day                 NVARCHAR(10) COLLATE Latin1_General_100_BIN2   NULL,
    status                       NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NOT NULL,
    outcome                      NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NULL,
    origin                       NVARCHAR(40) COLLATE Latin1_General_100_BIN2   NOT NULL,
    regular_doctor               NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NOT NULL,
    regular_doctor_contacted     BIGINT         NOT NULL,
    requested_at                 DATETIME2(0)   NOT NULL,
    patient_last_name            NVARCHAR(100)  NULL,
    patient_first_name           NVARCHAR(100)  NULL,
    patient_birth_date           NVARCHAR(10)   NULL,
    patient_phone                NVARCHAR(20)   NULL,
    patient_commune              NVARCHAR(5)    NULL,
    patient_ins                  NVARCHAR(15)   NULL,
    patient_regular_doctor_rpps  NVARCHAR(11) COLLATE Latin1_General_100_BIN2   NULL,
    reason                       NVARCHAR(500)  NULL,
    booked_by_client             NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL,
    created_at                   DATETIME2(0)   NOT NULL,
    cancelled_at                 DATETIME2(0)   NULL,
    cancelled_by                 NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NULL,
    cancel_reason                NVARCHAR(500)  NULL,
    cancelled_by_client          NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NULL,
    slot_released                BIGINT         NOT NULL CONSTRAINT df_bookings_slot_released DEFAULT 0,
    outcome_at                   DATETIME2(0)   NULL,
    updated_at                   DATETIME2(0)   NOT NULL
);
CREATE UNIQUE CLUSTERED INDEX cx_bookings_seq ON dbo.bookings (seq);
CREATE UNIQUE INDEX ux_bookings_live_slot ON dbo.bookings (slot_id) WHERE status = 'booked' AND slot_id IS NOT NULL;
CREATE INDEX ix_bookings_practitioner ON dbo.bookings (rpps, start_utc);
CREATE INDEX ix_bookings_overflow ON dbo.bookings (rpps, overflow_day) WHERE overflow = 1;

CREATE TABLE dbo.overflow_days (
    rpps  NVARCHAR(11) COLLATE Latin1_General_100_BIN2 NOT NULL,
    day   NVARCHAR(10) COLLATE Latin1_General_100_BIN2 NOT NULL,
    used  BIGINT       NOT NULL,
    CONSTRAINT pk_overflow_days PRIMARY KEY (rpps, day)
);

CREATE TABLE dbo.idempotency_keys (
    client_id      NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL,
    idem_key       NVARCHAR(200) COLLATE Latin1_General_100_BIN2  NOT NULL,
    request_hash   NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    status_code    BIGINT         NOT NULL,
    response_body  NVARCHAR(MAX)  NOT NULL,
    created_at     DATETIME2(0)   NOT NULL,
    expires_at     DATETIME2(0)   NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (client_id, idem_key)
);
CREATE INDEX ix_idempotency_expires ON dbo.idempotency_keys (expires_at);

CREATE TABLE dbo.audit_log (
    id         BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_audit_log PRIMARY KEY,
    at         DATETIME2(0)  NOT NULL,
    client_id  NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL,
    role       NVARCHAR(20) COLLATE Latin1_General_100_BIN2  NOT NULL,
    action     NVARCHAR(40)  NOT NULL,
    entity     NVARCHAR(20) COLLATE Latin1_General_100_BIN2  NOT NULL,
    entity_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    trace_id   NVARCHAR(64)  NULL
);
CREATE INDEX ix_audit_entity ON dbo.audit_log (entity, entity_id);

CREATE TABLE dbo.outbox (
    id          BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_outbox PRIMARY KEY,
    event_id    NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL,
    event_type  NVARCHAR(40) COLLATE Latin1_General_100_BIN2   NOT NULL,
    booking_id  NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NULL,
    slot_id     BIGINT         NULL,
    rpps        NVARCHAR(11) COLLATE Latin1_General_100_BIN2   NOT NULL,
    client_id   NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NULL,
    payload     NVARCHAR(MAX)  NOT NULL,
    created_at  DATETIME2(0)   NOT NULL
);
CREATE UNIQUE INDEX ux_outbox_event ON dbo.outbox (event_id);
