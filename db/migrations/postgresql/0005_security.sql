-- The audit trail is append-only, enforced by the database itself, whatever code runs against it.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE bookings ADD COLUMN purged_at TIMESTAMPTZ NULL;
CREATE INDEX ix_bookings_purge ON bookings (purged_at, created_at);

ALTER TABLE client_keys ADD COLUMN label VARCHAR(100) NULL;
