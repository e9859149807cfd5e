-- cluster_scores: one score per cluster and processing date, written by a scoring job.
CREATE TABLE IF NOT EXISTS {db:Identifier}.cluster_scores
(
    processing_date Date,
    cluster_id String,
    score Float64,
    model_version String,
    created_at DateTime DEFAULT now(),
    -- Scope of a scoring run (not in the upstream design; added by risktrain, see
    -- 113_cluster_scores_scope.sql for databases created before): re-scoring replaces a date's rows of
    -- one network and window only.
    network String DEFAULT '',
    window_days UInt16 DEFAULT 0
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(processing_date)
ORDER BY (processing_date, cluster_id)
SETTINGS index_granularity = 8192
