-- The alerts of a range of processing dates at one window, a fixed number per date.
-- Alert events depend on (seed, date) only, so every window of a date carries the same
-- alerts and alert ids; amounts and evidence grow with the window. An event picks an
-- alertable address with a skew towards low indexes (repeat-alerted addresses) and raises
-- 1 to 4 alerts of distinct typologies on it, mostly of the address's own typology.
INSERT INTO {db:Identifier}.raw_alerts
SELECT
    {window:UInt16} AS window_days,
    processing_date,
    -- UUIDv5 (namespace OID) of 'address|TYPOLOGY|YYYY-MM-DD'
    concat(substring(h, 1, 8), '-', substring(h, 9, 4), '-5', substring(h, 14, 3), '-',
        lower(hex(bitOr(bitAnd(reinterpretAsUInt8(substring(sha, 9, 1)), 63), 128))),
        substring(h, 19, 2), '-', substring(h, 21, 12)) AS alert_id,
    address,
    typology_type,
    pattern_id,
    pattern_type,
    severity,
    suspected_address_type,
    suspected_address_subtype,
    toFloat32(confidence) AS alert_confidence_score,
    concat(typology_label, ' on ', substring(address, 1, 12), ': ', toString(tx_count),
        ' transactions with ', toString(counterparties), ' counterparties, ',
        toString(round(volume, 2)), ' USD over ', toString({window:UInt16}), ' days')
        AS description,
    CAST(toDecimal128(volume, 6), 'Decimal128(18)') AS volume_usd,
    concat('{"detected_at_ms":', toString(detected_at_ms), ',"tx_count":', toString(tx_count),
        ',"counterparties":', toString(counterparties), ',"window_days":',
        toString({window:UInt16}), ',"typology":"', typology_type, '","score":',
        toString(round(confidence, 4)),
        -- Detectors attach more evidence to some alerts: 6 to 9 keys.
        if(pattern_id = '', '', concat(',"pattern_id":"', pattern_id, '"')),
        if(empty(risk_indicators), '', concat(',"indicators":[',
            arrayStringConcat(arrayMap(name -> concat('"', name, '"'), risk_indicators), ','),
            ']')),
        if(tx_count <= 5, '', concat(',"max_tx_usd":',
            toString(round(volume / tx_count * (1 + 3 * r[16]), 2)))),
        '}') AS evidence_json,
    arrayFilter((name, on) -> on,
        ['high_velocity', 'round_amounts', 'threshold_avoidance', 'mixer_exposure', 'fan_out',
            'new_address', 'dormant_reactivation', 'high_value', 'cross_chain', 'night_activity'],
        [tx_rate > 8, r[9] < 0.2, s_struct > 0.5 AND r[10] < 0.8, tie > 0.3 AND r[11] < 0.7,
            fanout > 12, is_new = 1, is_dormant = 1, volume > 100000, r[12] < 0.08,
            night_pref > 0.4]) AS risk_indicators,
    toDateTime(toUInt32(dnum * 86400 + 3600 + floor(r[13] * 7200))) AS created_at
FROM
(
    SELECT *, row_number() OVER (PARTITION BY processing_date ORDER BY j, m) AS rank_in_date
    FROM
    (
    SELECT
        e.processing_date AS processing_date,
        e.j AS j,
        e.m AS m,
        g.*,
        toUInt32(e.processing_date) AS dnum,
        arrayMap(k -> (cityHash64({seed:UInt64}, dnum, e.j, e.m, k) + 0.5)
            / 18446744073709551616.0, range(16)) AS r,
        arrayMap(k -> (cityHash64({seed:UInt64}, dnum, {window:UInt16}, e.j, e.m, k) + 0.5)
            / 18446744073709551616.0, range(4)) AS rw,
        sqrt(-2 * log(r[1])) * cos(2 * pi() * r[2]) AS z1,
        sqrt(-2 * log(rw[1])) * cos(2 * pi() * rw[2]) AS zw,
        toUInt8(if(e.t0_u < 0.65, g.primary_typ, floor(e.t0_r * 16))) AS t0,
        toUInt8((t0 + 5 * e.m) % 16) AS typ,
        SHA1(concat(unhex('6ba7b8129dad11d180b400c04fd430c8'), g.address, '|',
            typology_type, '|', toString(e.processing_date))) AS sha,
        lower(hex(sha)) AS h,
        ['PEEL_CHAIN', 'STRUCTURING', 'PING_PONG', 'HUB_ANOMALY', 'FRESH_TO_EXCHANGE',
            'RAPID_FANOUT', 'MIXING_BEHAVIOR', 'VELOCITY_ANOMALY', 'CYCLE_DETECTION',
            'LAYERING_PATH', 'SMURFING_NETWORK', 'PROXIMITY_RISK', 'MOTIF_FANIN', 'MOTIF_FANOUT',
            'DORMANT_REACTIVATION', 'ROUND_AMOUNTS'][typ + 1] AS typology_type,
        ['Peel chain', 'Structuring', 'Ping-pong transfers', 'Hub anomaly',
            'Fresh address to exchange', 'Rapid fan-out', 'Mixing behaviour', 'Velocity anomaly',
            'Cycle', 'Layering path', 'Smurfing network', 'Proximity to risk', 'Fan-in motif',
            'Fan-out motif', 'Dormant reactivation', 'Round amounts'][typ + 1] AS typology_label,
        ['chain', 'amount', 'temporal', 'graph_motif', 'behavioral', 'graph_motif', 'behavioral',
            'temporal', 'graph_motif', 'chain', 'graph_motif', 'proximity', 'graph_motif',
            'graph_motif', 'temporal', 'amount'][typ + 1] AS pattern_type,
        multiIf(
            r[3] < 0.3, concat('PAT-C', lower(hex(cityHash64({seed:UInt64}, dnum, typ,
                floor(r[4] * {pattern_groups:UInt32}))))),
            r[3] < 0.65, concat('PAT-A', lower(hex(cityHash64({seed:UInt64}, g.idx, typ)))),
            '') AS pattern_id,
        toUInt8(least(3, greatest(0, toInt16(g.sev_trait) + multiIf(r[5] < 0.2, -1, r[5] > 0.85,
            1, 0)))) AS sev,
        ['low', 'medium', 'high', 'critical'][sev + 1] AS severity,
        if(r[6] < 0.15, 'unknown', multiIf(g.kind = 'mixer', 'wallet', g.kind = 'exchange',
            'institutional', g.kind = 'contract', 'unknown', g.kind)) AS suspected_address_type,
        multiIf(g.kind = 'exchange', if(r[7] < 0.5, 'hot_wallet', 'deposit_address'),
            g.kind = 'contract', if(r[7] < 0.5, 'defi_router', 'token_contract'),
            g.kind = 'wallet' AND r[7] < 0.3, 'eoa', '') AS suspected_address_subtype,
        least(0.99, greatest(0.05, 0.3 + 0.1 * sev + 0.25 * r[8] + 0.1 * (typ = g.primary_typ)
            + 0.05 * zw)) AS confidence,
        toUInt64(2 + floor(exp(1.0 + 0.8 * z1) * sqrt({window:UInt16} / 7.0))) AS tx_count,
        toUInt32(least(toFloat64(tx_count), 1 + floor(g.fanout * (0.3 + r[14])))) AS counterparties,
        least(1e11, round(tx_count * exp(g.vol_mu + 0.5 * zw), 6)) AS volume,
        (dnum * 86400 + toUInt64(floor(r[15] * 86400))) * 1000 AS detected_at_ms
    FROM {db:Identifier}._risktrain_gen_addresses AS g
    INNER JOIN
    (
        SELECT processing_date, j, m, idx, t0_u, t0_r
        FROM
        (
            SELECT
                {d0:Date} + toIntervalDay(intDiv(number, {events:UInt64})) AS processing_date,
                number % {events:UInt64} AS j,
                arrayMap(k -> (cityHash64({seed:UInt64}, toUInt32(processing_date), j, k) + 0.5)
                    / 18446744073709551616.0, range(4)) AS q,
                toUInt64(floor({alertable:UInt64} * pow(q[1], 1.5))) AS idx,
                1 + (q[2] < 0.18) + (q[2] < 0.05) + (q[2] < 0.015) AS k,
                q[3] AS t0_u,
                q[4] AS t0_r
            FROM numbers({event_rows:UInt64})
        )
        ARRAY JOIN range(k) AS m
    ) AS e ON g.idx = e.idx
    WHERE g.idx < {alertable:UInt64}
    ORDER BY processing_date, j, m
    LIMIT 1 BY processing_date, address, typology_type
    )
)
WHERE rank_in_date <= {alerts:UInt32}
