-- alert_rankings: the rank of each alert within its processing date, written by a
-- ranking job.
CREATE TABLE IF NOT EXISTS {db:Identifier}.alert_rankings
(
    processing_date Date,
    alert_id String,
    rank Int32,
    model_version String,
    created_at DateTime DEFAULT now(),
    -- Scope of a scoring run (not in the upstream design; added by risktrain, see
    -- 112_alert_rankings_scope.sql for databases created before): re-scoring replaces a date's rows of
    -- one network and window only.
    network String DEFAULT '',
    window_days UInt16 DEFAULT 0
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(processing_date)
ORDER BY (processing_date, rank)
SETTINGS index_granularity = 8192
