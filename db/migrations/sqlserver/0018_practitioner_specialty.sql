-- Issue #32: professions beyond general practice. A physician's specialty (TRE_R38, e.g. SM40); null for every other
-- profession (a general practitioner's slots carry general medicine, SM54, by their profession).
ALTER TABLE dbo.practitioners ADD specialty NVARCHAR(10) NULL;
GO
-- Searches filter by profession: the statement reads it through this index.
CREATE INDEX ix_practitioners_profession ON dbo.practitioners (profession, specialty);
GO
