-- The operators a regulator client may name on its bookings: SAS platform account ids and national ids (IDNPS),
-- granted by an admin, as a JSON array each. A booking naming anyone else is refused: the platform is told who booked.
ALTER TABLE dbo.clients ADD operator_accounts NVARCHAR(MAX) NOT NULL CONSTRAINT df_clients_operator_accounts DEFAULT N'[]',
    operator_ids NVARCHAR(MAX) NOT NULL CONSTRAINT df_clients_operator_ids DEFAULT N'[]';
GO

-- ASP.NET Core Data Protection's key ring, shared by every node: the console's cookies and antiforgery tokens made
-- on one node are read on the others. Each key's XML is encrypted at rest when Console:KeyProtection says how.
CREATE TABLE dbo.data_protection_keys (
    name        NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_data_protection_keys PRIMARY KEY,
    xml         NVARCHAR(MAX) NOT NULL,
    created_at  DATETIME2(0)  NOT NULL
);
GO

-- The console's sessions, server-side: the cookie carries only the key. Signing out deletes the row, on every node;
-- a session ends at expires_at whatever the cookie says.
CREATE TABLE dbo.console_sessions (
    id          NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_console_sessions PRIMARY KEY,
    person      NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    ticket      VARBINARY(MAX) NOT NULL,
    created_at  DATETIME2(0)   NOT NULL,
    expires_at  DATETIME2(0)   NOT NULL
);
CREATE INDEX ix_console_sessions_expires ON dbo.console_sessions (expires_at);
CREATE INDEX ix_console_sessions_person ON dbo.console_sessions (person);
GO
