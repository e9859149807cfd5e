-- raw_address_labels: the source of training labels. Labels are joined as of an alert's
-- date across many processing dates, so idx_address (bloom filter) serves look-ups by
-- address that the sorting key (processing_date first) cannot.
CREATE TABLE IF NOT EXISTS {db:Identifier}.raw_address_labels
(
    processing_date Date,
    window_days UInt16,
    network String,
    address String,
    label String,
    network_type String DEFAULT '',
    address_type String DEFAULT 'unknown',
    address_subtype String DEFAULT '',
    risk_level String DEFAULT 'medium',
    confidence_score Float32 DEFAULT 0.5,
    trust_level String DEFAULT '',
    source String DEFAULT '',
    INDEX idx_address address TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY (toYYYYMM(processing_date), network)
ORDER BY (processing_date, window_days, network, address, label)
SETTINGS index_granularity = 8192
