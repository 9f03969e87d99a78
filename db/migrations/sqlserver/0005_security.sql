-- The audit trail is append-only, enforced by the database itself, whatever code runs against it.
CREATE TRIGGER dbo.audit_log_append_only ON dbo.audit_log
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, 'audit_log is append-only', 1;
END;
GO

ALTER TABLE dbo.bookings ADD purged_at DATETIME2(0) NULL;
CREATE INDEX ix_bookings_purge ON dbo.bookings (purged_at, created_at);

ALTER TABLE dbo.client_keys ADD label NVARCHAR(100) NULL;
