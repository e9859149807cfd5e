-- Helper table: the synthetic population's hidden traits, one row per address index.
CREATE TABLE {db:Identifier}._risktrain_gen_addresses
(
    idx UInt64,
    address String,
    kind LowCardinality(String),
    is_mixer UInt8,
    is_exchange UInt8,
    is_contract UInt8,
    is_new UInt8,
    is_dormant UInt8,
    vol_mu Float64,
    tx_rate Float64,
    out_share Float64,
    fanout Float64,
    fanin Float64,
    k_out UInt8,
    k_in UInt8,
    s_struct Float64,
    small_pref Float64,
    tie Float64,
    recip Float64,
    regularity Float64,
    night_pref Float64,
    peak_hour UInt8,
    peak_day UInt8,
    asset_in UInt8,
    asset_out UInt8,
    community UInt32,
    age_days UInt32,
    primary_typ UInt8,
    sev_trait UInt8,
    risk_logit Float64,
    label_u Float64,
    level_u Float64
)
ENGINE = MergeTree()
ORDER BY idx
