-- Upgrades a cluster_scores table created before risktrain added the scoring scope columns
-- (appended last, as in 08_cluster_scores.sql).
ALTER TABLE {db:Identifier}.cluster_scores
    ADD COLUMN IF NOT EXISTS network String DEFAULT '',
    ADD COLUMN IF NOT EXISTS window_days UInt16 DEFAULT 0
