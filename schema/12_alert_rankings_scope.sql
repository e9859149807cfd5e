-- Upgrades a alert_rankings table created before risktrain added the scoring scope columns
-- (appended last, as in 07_alert_rankings.sql).
ALTER TABLE {db:Identifier}.alert_rankings
    ADD COLUMN IF NOT EXISTS network String DEFAULT '',
    ADD COLUMN IF NOT EXISTS window_days UInt16 DEFAULT 0
