-- A version per practice site row, drawn at random each time the GP's record is written (which rewrites all its
-- sites): a node keeps the GP's name and the site's address per (GP, site) and reads them again only when the
-- version a search reads differs. Rows written before this have 0, which the next write replaces.
ALTER TABLE dbo.practitioner_sites ADD version BIGINT NOT NULL CONSTRAINT df_practitioner_sites_version DEFAULT 0;
GO
