-- Helper table: the address indexes that get a feature row on each date (alerted = 1 for
-- the date's alerted addresses, 0 for sampled never-alerted counterparties).
CREATE TABLE {db:Identifier}._risktrain_gen_batch
(
    processing_date Date,
    idx UInt64,
    alerted UInt8
)
ENGINE = MergeTree()
ORDER BY (processing_date, idx)
