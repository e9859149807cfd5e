-- Address labels, once for the whole range: about one alerted address in ten (more among
-- risky ones) gets a label dated around its first alert (from three weeks before to five
-- weeks after), with risk_level read off its latent risk; a third of the high/critical
-- ones carry an earlier provisional 'medium' label, so the as-of join matters. Known
-- exchanges that were never alerted are labelled low risk. One row per label and window.
INSERT INTO {db:Identifier}.raw_address_labels
SELECT
    processing_date,
    window_days,
    {network:String} AS network,
    address,
    label,
    'mainnet' AS network_type,
    address_type,
    address_subtype,
    risk_level,
    toFloat32(confidence) AS confidence_score,
    trust_level,
    source
FROM
(
    SELECT
        g.address AS address,
        arrayMap(k -> (cityHash64({seed:UInt64}, g.idx, 900 + k) + 0.5)
            / 18446744073709551616.0, range(10)) AS h,
        g.risk_logit > 0 AS positive,
        multiIf(NOT positive, if(g.risk_logit > -1.0 + 0.6 * (g.level_u - 0.5), 'medium', 'low'),
            g.risk_logit > 1.2 + 0.6 * (g.level_u - 0.5), 'critical', 'high') AS final_level,
        f.first_alert + toIntervalDay(toInt32(floor(h[1] * 56)) - 21) AS final_date,
        multiIf(
            positive AND g.is_mixer = 1, 'mixer',
            positive, ['scam', 'dark_market', 'sanctioned', 'gambling', 'ransomware',
                'phishing'][1 + toUInt8(floor(h[2] * 6))],
            g.is_exchange = 1, 'exchange',
            ['institutional', 'dex', 'staking', 'validator', 'miner', 'exchange', 'merchant',
                'unknown'][1 + toUInt8(floor(h[2] * 8))]) AS final_type,
        arrayJoin(if(positive AND h[3] < 0.33, [0, 1], [1])) AS is_final,
        if(is_final = 1, final_date, final_date - toIntervalDay(7 + toInt32(floor(h[4] * 30))))
            AS processing_date,
        if(is_final = 1, final_level, 'medium') AS risk_level,
        if(is_final = 1, final_type, 'unknown') AS address_type,
        multiIf(is_final = 0, 'under_review',
            final_type = 'mixer', 'mixing_service',
            positive, ['money_laundering', 'fraud', 'sanctions_evasion', 'darknet_trade',
                'scam_proceeds'][1 + toUInt8(floor(h[5] * 5))],
            ['legitimate_activity', 'verified_service', 'retail_user'][
                1 + toUInt8(floor(h[5] * 3))]) AS label,
        multiIf(final_type = 'scam' AND is_final = 1, ['ponzi', 'rug_pull', 'fake_exchange'][
                1 + toUInt8(floor(h[6] * 3))],
            final_type = 'exchange' AND is_final = 1, 'hot_wallet',
            final_type = 'dex' AND is_final = 1, 'router', '') AS address_subtype,
        multiIf(is_final = 0, 0.3 + 0.3 * h[7],
            risk_level = 'critical', 0.8 + 0.2 * h[7],
            risk_level = 'high', 0.6 + 0.35 * h[7],
            0.5 + 0.45 * h[7]) AS confidence,
        multiIf(is_final = 0, 'unverified',
            risk_level = 'critical' AND h[8] < 0.5, 'blacklisted',
            ['verified', 'community', 'unverified', 'official'][1 + toUInt8(floor(h[8] * 4))])
            AS trust_level,
        if(is_final = 0, 'community_report',
            ['ofac_sdn', 'chainalysis', 'community_report', 'internal_review', 'exchange_report',
                'law_enforcement'][1 + toUInt8(floor(h[9] * 6))]) AS source
    FROM
    (
        SELECT * FROM {db:Identifier}._risktrain_gen_addresses
        WHERE label_u < 0.07 + 0.08 / (1 + exp(-risk_logit))
    ) AS g
    INNER JOIN
    (
        SELECT address, min(processing_date) AS first_alert
        FROM {db:Identifier}.raw_alerts
        WHERE window_days = {first_window:UInt16}
        GROUP BY address
    ) AS f ON f.address = g.address

    UNION ALL

    SELECT
        address,
        emptyArrayFloat64() AS h,
        0 AS positive,
        'low' AS final_level,
        {start:Date} AS final_date,
        'exchange' AS final_type,
        1 AS is_final,
        final_date AS processing_date,
        'low' AS risk_level,
        'exchange' AS address_type,
        'verified_service' AS label,
        'hot_wallet' AS address_subtype,
        0.9 AS confidence,
        'official' AS trust_level,
        'exchange_report' AS source
    FROM {db:Identifier}._risktrain_gen_addresses
    WHERE is_exchange = 1 AND idx >= {alertable:UInt64} AND label_u < 0.3
)
ARRAY JOIN {windows:Array(UInt16)} AS window_days
