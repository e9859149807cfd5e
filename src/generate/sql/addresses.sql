-- Fills the population: every address index below the population size, the first ones
-- alertable. Every trait is a seeded hash of (seed, index, salt), each salt used once (the
-- normals take salts 0-15); risk_logit is the latent risk (docs/GENERATOR.md).
INSERT INTO {db:Identifier}._risktrain_gen_addresses
SELECT
    idx,
    address,
    kind,
    is_mixer,
    is_exchange,
    is_contract,
    is_new,
    is_dormant,
    vol_mu,
    tx_rate,
    out_share,
    fanout,
    fanin,
    k_out,
    k_in,
    s_struct,
    small_pref,
    tie,
    recip,
    regularity,
    night_pref,
    peak_hour,
    peak_day,
    asset_in,
    asset_out,
    community,
    age_days,
    primary_typ,
    sev_trait,
    risk_logit,
    label_u,
    level_u
FROM
(
    SELECT
        number AS idx,
        arrayMap(k -> (cityHash64({seed:UInt64}, number, k) + 0.5) / 18446744073709551616.0,
            range(40)) AS u,
        arrayMap(k -> sqrt(-2 * log(u[2 * k + 1])) * cos(2 * pi() * u[2 * k + 2]), range(8)) AS z,
        concat('0x', lower(hex(SHA1(concat('risktrain:', toString({seed:UInt64}), ':',
            toString(number)))))) AS address,
        toUInt8(number % 20 = 7) AS is_mixer,
        toUInt8(is_mixer = 0 AND u[17] < 0.025) AS is_exchange,
        toUInt8(is_mixer = 0 AND is_exchange = 0 AND u[17] > 0.92) AS is_contract,
        multiIf(is_mixer = 1, 'mixer', is_exchange = 1, 'exchange', is_contract = 1, 'contract',
            u[18] < 0.06, 'merchant', u[18] < 0.1, 'institutional', 'wallet') AS kind,
        toUInt8(u[19] < 0.12) AS is_new,
        toUInt8(is_new = 0 AND u[20] < 0.03) AS is_dormant,
        5.3 + 1.5 * z[1] + 2.0 * is_exchange + 0.5 * is_mixer + 1.0 * (kind = 'institutional')
            AS vol_mu,
        least(300.0, exp(0.3 + 1.1 * z[2]) * if(is_exchange = 1, 40, 1) * if(is_mixer = 1, 4, 1))
            AS tx_rate,
        least(0.95, greatest(0.05, 0.5 + 0.15 * z[3] + 0.2 * is_mixer)) AS out_share,
        exp(multiIf(is_exchange = 1, 4.0, is_mixer = 1, 2.6, 1.3) + 0.9 * z[4]) AS fanout,
        exp(multiIf(is_exchange = 1, 4.2, is_mixer = 1, 2.4, 1.2) + 0.9 * z[5]) AS fanin,
        toUInt8(least(8, greatest(1, round(fanout * 0.6)))) AS k_out,
        toUInt8(least(6, greatest(1, round(fanin * 0.5)))) AS k_in,
        if(u[21] < 0.15, 0.55 + 0.45 * u[22], 0.35 * pow(u[22], 2)) AS s_struct,
        pow(u[23], 0.8) AS small_pref,
        if(u[24] < 0.2, 0.3 + 0.6 * u[25], 0.1 * u[25]) AS tie,
        if(is_mixer = 1, 0.1 * u[26], pow(u[26], 1.5)) AS recip,
        least(1.0, greatest(0.0, 0.55 + 0.2 * z[6] - 0.3 * is_mixer)) AS regularity,
        0.1 + 0.5 * pow(u[27], 3) + 0.2 * is_mixer AS night_pref,
        toUInt8(floor(u[28] * 24)) AS peak_hour,
        toUInt8(floor(pow(u[29], 1.3) * 7)) AS peak_day,
        toUInt8(floor(pow(u[30], 2) * 7)) AS asset_in,
        toUInt8(if(u[31] < 0.7, asset_in, floor(pow(u[31], 2) * 7))) AS asset_out,
        toUInt32(cityHash64({seed:UInt64}, number, 100) % 4000 + if(is_mixer = 1, 0, 100))
            AS community,
        toUInt32(if(is_new = 1, 1 + floor(u[32] * 20), 30 + floor(exp(5 + z[7])))) AS age_days,
        toUInt8(multiIf(
            is_mixer = 1 AND u[33] < 0.6, 6,
            s_struct > 0.5 AND u[33] < 0.5, 1,
            floor(u[34] * 16))) AS primary_typ,
        toUInt8(multiIf(u[35] < 0.3, 0, u[35] < 0.65, 1, u[35] < 0.9, 2, 3)) AS sev_trait,
        -- the latent risk: several features, their interactions, and noise
        {intercept:Float64}
            + 5.0 * s_struct * greatest(0.0, small_pref - 0.5)
            + 2.5 * is_mixer * least(1.0, greatest(0.0, (log1p(fanout) - 2.3) / 1.2))
            + 1.5 * [0.6, 0.5, 0.2, -0.4, -0.2, 0.4, 0.9, 0.0, 0.3, 0.8, 0.7, 0.5, -0.1, 0.1, 0.2,
                -0.3][primary_typ + 1] * (sev_trait - 1.0)
            + 2.2 * tie
            + 1.2 * is_new * (vol_mu > 7)
            - 1.8 * is_exchange
            + {noise:Float64} * z[8] AS risk_logit,
        u[36] AS label_u,
        u[37] AS level_u
    FROM numbers({population:UInt64})
)
