-- The operators a regulator client may name on its bookings: SAS platform account ids and national ids (IDNPS),
-- granted by an admin, as a JSON array each. A booking naming anyone else is refused: the platform is told who booked.
ALTER TABLE clients ADD COLUMN operator_accounts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN operator_ids TEXT NOT NULL DEFAULT '[]';

-- ASP.NET Core Data Protection's key ring, shared by every node: the console's cookies and antiforgery tokens made
-- on one node are read on the others. Each key's XML is encrypted at rest when Console:KeyProtection says how.
CREATE TABLE data_protection_keys (
    name        VARCHAR(200) COLLATE "C" NOT NULL CONSTRAINT pk_data_protection_keys PRIMARY KEY,
    xml         TEXT                     NOT NULL,
    created_at  TIMESTAMPTZ              NOT NULL
);

-- The console's sessions, server-side: the cookie carries only the key. Signing out deletes the row, on every node;
-- a session ends at expires_at whatever the cookie says.
CREATE TABLE console_sessions (
    id          VARCHAR(64) COLLATE "C"  NOT NULL CONSTRAINT pk_console_sessions PRIMARY KEY,
    person      VARCHAR(200) COLLATE "C" NOT NULL,
    ticket      BYTEA                    NOT NULL,
    created_at  TIMESTAMPTZ              NOT NULL,
    expires_at  TIMESTAMPTZ              NOT NULL
);
CREATE INDEX ix_console_sessions_expires ON console_sessions (expires_at);
CREATE INDEX ix_console_sessions_person ON console_sessions (person);
