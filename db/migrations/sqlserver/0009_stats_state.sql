-- What the statistics know about themselves: 'as_of' is when the latest aggregates read the raw rows (reports
-- answer it as asOf); 'history_version' is the version of the aggregation that built the whole history. From
-- version 2, aggregates are keyed by the start of the local hour (a half-hour zone such as Pacific/Marquesas
-- has hours starting at :30 UTC) and always carry their local buckets (0006 added them without a backfill):
-- when the version is older, the statistics job rebuilds the history once from the raw rows.
CREATE TABLE dbo.stats_state (
    name   NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_stats_state PRIMARY KEY,
    value  NVARCHAR(64) NOT NULL
);
INSERT INTO dbo.stats_state (name, value) VALUES (N'as_of', N''), (N'history_version', N'1');

-- The majoration cap is per GP and week across every sector: the report reads a GP's eligible hours directly.
CREATE INDEX ix_stats_hourly_rpps_hour ON dbo.stats_hourly (rpps, hour_utc) INCLUDE (sector_code, local_week, majoration_eligible) WHERE majoration_eligible > 0;
