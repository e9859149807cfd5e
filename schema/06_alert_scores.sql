-- alert_scores: one score per alert and processing date, written by a scoring job.
CREATE TABLE IF NOT EXISTS {db:Identifier}.alert_scores
(
    processing_date Date,
    alert_id String,
    score Float64,
    model_version String,
    explain_json String DEFAULT '',
    created_at DateTime DEFAULT now(),
    -- Scope of a scoring run (not in the upstream design; added by risktrain, see
    -- 111_alert_scores_scope.sql for databases created before): re-scoring replaces a date's rows of
    -- one network and window only.
    network String DEFAULT '',
    window_days UInt16 DEFAULT 0
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(processing_date)
ORDER BY (processing_date, alert_id)
SETTINGS index_granularity = 8192
