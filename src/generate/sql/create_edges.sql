-- Helper table: each date's money-flow edges between address indexes; bidirectional when
-- the reverse edge exists on the same date.
CREATE TABLE {db:Identifier}._risktrain_gen_edges
(
    processing_date Date,
    from_idx UInt64,
    to_idx UInt64,
    bidirectional Bool
)
ENGINE = MergeTree()
ORDER BY (processing_date, from_idx, to_idx)
