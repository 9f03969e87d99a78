-- Issue #32: requests a pool of professionals can accept ("place de marché"). A professional opts in with the hours
-- they take them; a regulator posts a request for a territory and a profession; the professionals of that territory
-- in the pool are offered it; the first to accept gets it as a booking. The patient's data is kept with the request
-- only while it is open (the booking's draft, as JSON): accepted, it moves to the booking; expired or withdrawn, it is
-- cleared.
CREATE TABLE pool_members (
    rpps         TEXT    NOT NULL PRIMARY KEY REFERENCES practitioners (rpps),
    weekdays     TEXT    NOT NULL,          -- ISO weekdays, comma-separated: 1,2,3,4,5
    from_local   TEXT    NOT NULL,          -- HH:MM in the professional's sector's time zone
    until_local  TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE TABLE pooled_requests (
    id            TEXT    NOT NULL PRIMARY KEY,
    client_id     TEXT    NOT NULL,         -- the regulator's client that posted it, which is told of its outcome
    sector_code   TEXT    NOT NULL,         -- the territory's sector (the first in scope when a commune has several)
    profession    TEXT    NOT NULL,
    specialty     TEXT    NULL,
    modality      TEXT    NOT NULL,
    reason        TEXT    NULL,             -- cleared with the draft
    not_before    TEXT    NOT NULL,
    not_after     TEXT    NOT NULL,         -- the urgency window's end: the request expires then
    status        TEXT    NOT NULL,         -- open, accepted, expired, withdrawn
    draft         TEXT    NULL,             -- the booking it becomes, patient included; null once closed
    accepted_by   TEXT    NULL,
    booking_id    TEXT    NULL,
    offered       INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    closed_at     TEXT    NULL
);
CREATE INDEX ix_pooled_requests_open ON pooled_requests (status, not_after);
CREATE INDEX ix_pooled_requests_sector ON pooled_requests (sector_code, created_at);
CREATE TABLE pooled_request_offers (
    request_id   TEXT    NOT NULL REFERENCES pooled_requests (id),
    rpps         TEXT    NOT NULL,
    PRIMARY KEY (request_id, rpps)
);
CREATE INDEX ix_pooled_request_offers_rpps ON pooled_request_offers (rpps);
-- Request events are ordered per request, as booking events are per booking.
ALTER TABLE outbox ADD COLUMN request_id TEXT NULL;
