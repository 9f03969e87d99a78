-- Issue #32: professions beyond general practice. A physician's specialty (TRE_R38, e.g. SM40); null for every other
-- profession (a general practitioner's slots carry general medicine, SM54, by their profession).
ALTER TABLE dbo.practitioners ADD specialty NVARCHAR(10) NULL;
GO
-- No index on profession: every read finds professionals by RPPS first (the search's EXISTS, the pool by its members);
-- one by profession led SQLite's planner to walk every GP for the pool's 20 members (measured: 22 ms a request post).
