-- raw_clusters: groups of related alerts (two or more alerts on one address, or alerts
-- sharing a pattern). idx_primary_address: bloom filter for look-ups by address.
CREATE TABLE IF NOT EXISTS {db:Identifier}.raw_clusters
(
    window_days UInt16,
    processing_date Date,
    cluster_id String,
    cluster_type String,
    primary_address String DEFAULT '',
    pattern_id String DEFAULT '',
    primary_alert_id String,
    related_alert_ids Array(String),
    addresses_involved Array(String),
    total_alerts UInt32,
    total_volume_usd Decimal128(18),
    severity_max String DEFAULT 'medium',
    confidence_avg Float32,
    earliest_alert_timestamp UInt64,
    latest_alert_timestamp UInt64,
    created_at DateTime DEFAULT now(),
    INDEX idx_primary_address primary_address TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY (cluster_type, toYYYYMM(processing_date))
ORDER BY (window_days, processing_date, cluster_type, cluster_id)
SETTINGS index_granularity = 8192
