-- A request posted for a place several sectors cover is offered to the pool of all of them: each offer keeps the
-- sector through which its professional was offered it, and an accepted request's booking counts there (the sector's
-- fill rate and its CPTS's indicators), not in the place's first sector. Offers written before: the request's sector.
ALTER TABLE pooled_request_offers ADD COLUMN sector_code VARCHAR(64) COLLATE "C" NULL;
