-- Upgrades a batch_metadata table created before risktrain added the scoring scope columns
-- (appended last, as in 09_batch_metadata.sql).
ALTER TABLE {db:Identifier}.batch_metadata
    ADD COLUMN IF NOT EXISTS network String DEFAULT '',
    ADD COLUMN IF NOT EXISTS window_days UInt16 DEFAULT 0
