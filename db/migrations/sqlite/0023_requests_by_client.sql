-- A regulator's requests, newest first: the console's list of what it posted today and how each ended, and the
-- regulator software's GET /v1/requests.
CREATE INDEX ix_pooled_requests_client ON pooled_requests (client_id, created_at);
