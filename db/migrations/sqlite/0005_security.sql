-- The audit trail is append-only, enforced by the database itself, whatever code runs against it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- When the retention purge anonymised a booking's patient fields (null while they are kept).
ALTER TABLE bookings ADD COLUMN purged_at TEXT NULL;
CREATE INDEX ix_bookings_purge ON bookings (purged_at, created_at);

-- A key's short label, so an admin can tell keys apart when rotating (the key itself is never stored).
ALTER TABLE client_keys ADD COLUMN label TEXT NULL;
