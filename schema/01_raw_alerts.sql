-- raw_alerts: one row per alert raised on an address by a typology detector.
-- alert_id is the UUIDv5 of (address, typology, date): the same id recurs across windows.
-- idx_address: bloom filter for look-ups of one address's alerts across dates.
CREATE TABLE IF NOT EXISTS {db:Identifier}.raw_alerts
(
    window_days UInt16,
    processing_date Date,
    alert_id String,
    address String,
    typology_type String,
    pattern_id String DEFAULT '',
    pattern_type String DEFAULT '',
    severity String DEFAULT 'medium',
    suspected_address_type String DEFAULT 'unknown',
    suspected_address_subtype String DEFAULT '',
    alert_confidence_score Float32,
    description String,
    volume_usd Decimal128(18) DEFAULT 0,
    evidence_json String,
    risk_indicators Array(String),
    created_at DateTime DEFAULT now(),
    INDEX idx_address address TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(processing_date)
ORDER BY (window_days, processing_date, alert_id, typology_type)
SETTINGS index_granularity = 8192
