-- Issue #32: professions beyond general practice. A physician's specialty (TRE_R38, e.g. SM40); null for every other
-- profession (a general practitioner's slots carry general medicine, SM54, by their profession).
ALTER TABLE practitioners ADD COLUMN specialty VARCHAR(10) NULL;
-- Searches filter by profession: the index per node reads it per GP, the statement through this one.
CREATE INDEX ix_practitioners_profession ON practitioners (profession, specialty);
