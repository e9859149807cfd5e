-- The feature rows of a range of processing dates at one window: one per address of the
-- helper batch table (each date's alerted addresses plus sampled never-alerted flow
-- counterparties). Features follow the address's hidden traits with per-batch noise, and
-- agree with the batch's flows and alerts: degrees, transaction counts and USD totals are
-- at least what raw_money_flows and raw_alerts show; degree_total = degree_in +
-- degree_out; tx_total_count = tx_in_count + tx_out_count = the sum of hourly_activity =
-- the sum of daily_activity; net_flow_usd = total_in_usd - total_out_usd; peak hour and
-- day are the argmax of those arrays.
INSERT INTO {db:Identifier}.raw_features
WITH
    alerted AS
    (
        SELECT processing_date, address, sum(volume_usd) AS al_usd,
            max(JSONExtractUInt(evidence_json, 'tx_count')) AS al_tx
        FROM {db:Identifier}.raw_alerts
        WHERE window_days = {window:UInt16} AND processing_date BETWEEN {d0:Date} AND {d1:Date}
        GROUP BY processing_date, address
    ),
    outgoing AS
    (
        SELECT processing_date, from_address AS address, count() AS f_out_edges,
            sum(tx_count) AS f_out_tx, sum(amount_usd_sum) AS f_out_usd
        FROM {db:Identifier}.raw_money_flows
        WHERE window_days = {window:UInt16} AND processing_date BETWEEN {d0:Date} AND {d1:Date}
        GROUP BY processing_date, from_address
    ),
    incoming AS
    (
        SELECT processing_date, to_address AS address, count() AS f_in_edges,
            sum(tx_count) AS f_in_tx, sum(amount_usd_sum) AS f_in_usd
        FROM {db:Identifier}.raw_money_flows
        WHERE window_days = {window:UInt16} AND processing_date BETWEEN {d0:Date} AND {d1:Date}
        GROUP BY processing_date, to_address
    )
SELECT
    {window:UInt16} AS window_days,
    processing_date,
    address,
    deg_in AS degree_in,
    deg_out AS degree_out,
    deg_in + deg_out AS degree_total,
    degree_total - overlap AS unique_counterparties,
    act_days AS activity_days,
    span_days AS activity_span_days,
    toUInt32(1 + floor(pow(r[25], 3) * 5)) AS unique_assets_in,
    toUInt32(1 + floor(pow(r[26], 3) * 5)) AS unique_assets_out,
    toUInt32(least(toFloat64(degree_total), 1 + floor(log2(1 + degree_total) * (0.5 + r[27]))))
        AS kcore,
    toUInt32(cityHash64({seed:UInt64}, community, dnum) % 1000000) AS community_id,
    unique_counterparties AS khop1_count,
    toUInt32(least(4e9, khop1_count * (3 + floor(r[28] * 20)))) AS khop2_count,
    toUInt32(least(4e9, khop2_count * (2 + floor(r[29] * 10)))) AS khop3_count,
    toUInt32(round(tx_total * (0.01 + 0.1 * pow(r[30], 3) + 0.05 * s_struct)))
        AS outlier_transactions,
    deg_out AS unique_recipients_count,
    deg_in AS unique_senders_count,
    tx_in AS tx_in_count,
    tx_out AS tx_out_count,
    tx_total AS tx_total_count,
    least(last_ts, end_ms + 1 - toUInt64(age_days) * 86400000
        + toUInt64(floor(r[31] * 43200000))) AS first_activity_timestamp,
    last_ts AS last_activity_timestamp,
    toUInt8(indexOf(hourly, arrayMax(hourly)) - 1) AS peak_hour,
    toUInt8(indexOf(daily, arrayMax(daily)) - 1) AS peak_day,
    toUInt8(if(r[32] < 0.8, peak_hour, (peak_hour + 1) % 24)) AS peak_activity_hour,
    toUInt8(if(r[33] < 0.8, peak_day, (peak_day + 1) % 7)) AS peak_activity_day,
    dec_in AS total_in_usd,
    dec_out AS total_out_usd,
    dec_in - dec_out AS net_flow_usd,
    dec_in + dec_out AS total_volume_usd,
    CAST(toDecimal128(avg_in, 6), 'Decimal128(18)') AS avg_tx_in_usd,
    CAST(toDecimal128(avg_out, 6), 'Decimal128(18)') AS avg_tx_out_usd,
    CAST(toDecimal128(avg_in * exp(-sigma * sigma / 2), 6), 'Decimal128(18)') AS median_tx_in_usd,
    CAST(toDecimal128(avg_out * exp(-sigma * sigma / 2), 6), 'Decimal128(18)')
        AS median_tx_out_usd,
    CAST(toDecimal128(least(greatest(in_usd, out_usd), greatest(avg_in, avg_out) * spread), 6),
        'Decimal128(18)') AS max_tx_usd,
    CAST(toDecimal128(multiIf(tx_in = 0, avg_out, tx_out = 0, avg_in, least(avg_in, avg_out))
        / spread, 6), 'Decimal128(18)') AS min_tx_usd,
    CAST(toDecimal128((in_usd + out_usd) / act_days, 6), 'Decimal128(18)')
        AS avg_daily_volume_usd,
    CAST(toDecimal128(khop1_usd, 6), 'Decimal128(18)') AS khop1_volume_usd,
    CAST(toDecimal128(khop1_usd * (2 + 5 * r[35]), 6), 'Decimal128(18)') AS khop2_volume_usd,
    CAST(toDecimal128(least(1e13, khop1_usd * (2 + 5 * r[35]) * (2 + 5 * r[36])), 6),
        'Decimal128(18)') AS khop3_volume_usd,
    pow(mean_size * cv, 2) AS amount_variance,
    (exp(sigma * sigma) + 2) * cv AS amount_skewness,
    exp(4 * sigma * sigma) + 2 * exp(3 * sigma * sigma) + 3 * exp(2 * sigma * sigma) - 6
        AS amount_kurtosis,
    mean_size * cv AS volume_std,
    cv AS volume_cv,
    least(1.0, (0.6 + 0.8 * r[37]) / sqrt(degree_total + 1)) AS flow_concentration,
    toFloat32(regularity_f) AS regularity_score,
    toFloat32(burst_f) AS burst_factor,
    toFloat32(overlap / greatest(1, unique_counterparties)) AS reciprocity_ratio,
    toFloat32(1 - flow_concentration) AS flow_diversity,
    toFloat32(least(1.0, flow_concentration * (0.8 + 0.4 * r[38]))) AS counterparty_concentration,
    toFloat32(least(1.0, (0.7 + 0.6 * r[39]) / sqrt(deg_out + 1))) AS concentration_ratio,
    toFloat32(least(1.0, log1p(rate) / log(100))) AS velocity_score,
    toFloat32(least(1.0, greatest(0.0, s_struct + 0.12 * z[9]))) AS structuring_score,
    toFloat32(least(1.0, (unique_assets_in + unique_assets_out - 2) / 8)) AS asset_diversity_score,
    toFloat32(arraySum(arrayMap(x -> if(x = 0, 0, -(x / tx_total) * log(x / tx_total)), hourly))
        / log(24)) AS hourly_entropy,
    toFloat32(arraySum(arrayMap(x -> if(x = 0, 0, -(x / tx_total) * log(x / tx_total)), daily))
        / log(7)) AS daily_entropy,
    toFloat32((daily[6] + daily[7]) / tx_total) AS weekend_transaction_ratio,
    toFloat32(arraySum(arraySlice(hourly, 1, 6)) / tx_total) AS night_transaction_ratio,
    toFloat32(least(1.0, greatest(0.0, small_pref + 0.1 * z[10]))) AS small_transaction_ratio,
    toFloat32(least(1.0, greatest(0.0, 0.5 * regularity_f + 0.5 * act_days / {window:UInt16}
        + 0.05 * z[11]))) AS consistency_score,
    toFloat32((deg_in + 1) / {population:UInt64} * (0.5 + r[40]) * 10) AS pagerank,
    toFloat32(least(1.0, pow(r[41], 4) * log1p(degree_total) / 6 + 0.3 * is_mixer * r[42]))
        AS betweenness,
    toFloat32(least(1.0, 0.1 + 0.3 * r[43] + 0.1 * log1p(degree_total) / 5)) AS closeness,
    toFloat32(least(1.0, r[44] * 2 / sqrt(1 + degree_total))) AS clustering_coefficient,
    toFloat32(least(1.0, 0.4 * log1p(degree_total) / 6 + 0.3 * betweenness + 0.3 * closeness))
        AS centrality_score,
    toFloat32(4 * reciprocity_ratio * (1 - reciprocity_ratio) * (0.8 + 0.2 * r[45]))
        AS flow_reciprocity_entropy,
    toFloat32(0.2 + 0.6 * regularity_f * (0.6 + 0.4 * r[46])) AS counterparty_stability,
    toFloat32((burst_f - 1) / (burst_f + 1)) AS flow_burstiness,
    toFloat32(0.9 * regularity_f + 0.1 * r[47]) AS transaction_regularity,
    toFloat32(least(1.0, greatest(0.0, 1 - sigma / 1.6 + 0.05 * z[12]))) AS amount_predictability,
    toFloat32(least(1.0, 0.3 * structuring_score + 0.25 * (1 - regularity_f) + 0.45 * r[48]))
        AS behavioral_anomaly_score,
    toFloat32(least(1.0, 0.25 * is_mixer + 0.15 * log1p(deg_out) / 4 + 0.6 * r[49]))
        AS graph_anomaly_score,
    toFloat32(least(1.0, 0.55 * tie + 0.45 * r[50])) AS neighborhood_anomaly_score,
    toFloat32((behavioral_anomaly_score + graph_anomaly_score + neighborhood_anomaly_score) / 3)
        AS global_anomaly_score,
    toFloat32(least(1.0, 0.25 * structuring_score + 0.15 * is_mixer + 0.6 * r[51]))
        AS suspicious_pattern_score,
    toFloat32(0.7 + 0.3 * r[52]) AS completeness_score,
    toFloat32(0.6 + 0.4 * r[53]) AS quality_score,
    toFloat32(least(1.0, 5 * outlier_transactions / tx_total)) AS outlier_score,
    toFloat32(0.5 + 0.5 * r[54]) AS confidence_score,
    ['USDT', 'USDC', 'DAI', 'WETH', 'WBTC', upper({network:String}), 'LINK'][asset_in + 1]
        AS dominant_asset_in,
    ['USDT', 'USDC', 'DAI', 'WETH', 'WBTC', upper({network:String}), 'LINK'][asset_out + 1]
        AS dominant_asset_out,
    hourly AS hourly_activity,
    daily AS daily_activity,
    is_exchange = 1 AS is_exchange_like,
    whale AS is_whale,
    (is_mixer = 1) != (r[55] < 0.02) AS is_mixer_like,
    is_contract = 1 AS is_contract_like,
    is_new = 1 AS is_new_address,
    is_dormant = 1 AS is_dormant_reactivated,
    tx_total / {window:UInt16} > 20 AS is_high_volume_trader,
    degree_total > 40 * sqrt({window:UInt16} / 7) AS is_hub_address,
    NOT whale AND act_days >= {window:UInt16} / 2 AS is_retail_active,
    whale AND act_days < {window:UInt16} / 3 AS is_whale_inactive,
    NOT whale AND act_days < {window:UInt16} / 3 AS is_retail_inactive,
    regularity_f > 0.6 AND is_mixer = 0 AND is_exchange = 0 AND NOT whale AS is_regular_user,
    toDateTime(toUInt32(dnum * 86400 + 1800 + floor(r[56] * 3600))) AS created_at
FROM
(
    SELECT
        b.processing_date AS processing_date,
        g.address AS address,
        g.community AS community,
        g.age_days AS age_days,
        g.is_mixer AS is_mixer,
        g.is_exchange AS is_exchange,
        g.is_contract AS is_contract,
        g.is_new AS is_new,
        g.is_dormant AS is_dormant,
        g.s_struct AS s_struct,
        g.small_pref AS small_pref,
        g.tie AS tie,
        g.asset_in AS asset_in,
        g.asset_out AS asset_out,
        toUInt64(ifNull(a.al_tx, 0)) AS al_tx,
        a.al_usd AS al_dec,
        o.f_out_edges AS f_out_edges,
        o.f_out_tx AS f_out_tx,
        o.f_out_usd AS f_out_dec,
        i.f_in_edges AS f_in_edges,
        i.f_in_tx AS f_in_tx,
        i.f_in_usd AS f_in_dec,
        toUInt32(b.processing_date) AS dnum,
        (toUInt64(dnum) + 1) * 86400000 - 1 AS end_ms,
        arrayMap(k -> (cityHash64({seed:UInt64}, g.idx, dnum, {window:UInt16}, k) + 0.5)
            / 18446744073709551616.0, range(64)) AS r,
        arrayMap(k -> sqrt(-2 * log(r[2 * k + 1])) * cos(2 * pi() * r[2 * k + 2]), range(12))
            AS z,
        arrayMap(k -> (cityHash64({seed:UInt64}, g.idx, dnum, {window:UInt16}, 100 + k) + 0.5)
            / 18446744073709551616.0, range(31)) AS rb,
        g.tx_rate * exp(0.3 * z[1]) AS rate,
        least(60000.0, greatest(1.0, round(rate * {window:UInt16}))) AS tx_base,
        least(0.98, greatest(0.02, g.out_share + 0.06 * z[2])) AS oshare,
        toUInt64(greatest(toFloat64(f_out_tx), round(tx_base * oshare))) AS tx_out,
        toUInt64(greatest(toFloat64(f_in_tx), tx_base - round(tx_base * oshare),
            toFloat64(al_tx) - least(toFloat64(al_tx), toFloat64(tx_out)))) AS tx_in,
        tx_in + tx_out AS tx_total,
        toUInt32(least(toFloat64(tx_out), greatest(toFloat64(f_out_edges),
            round(g.fanout * sqrt({window:UInt16} / 7) * exp(0.2 * z[3]))))) AS deg_out,
        toUInt32(least(toFloat64(tx_in), greatest(toFloat64(f_in_edges),
            round(g.fanin * sqrt({window:UInt16} / 7) * exp(0.2 * z[4]))))) AS deg_in,
        toUInt32(floor(least(deg_in, deg_out) * g.recip)) AS overlap,
        toUInt32(least(toFloat64({window:UInt16}), toFloat64(g.age_days), toFloat64(tx_total),
            greatest(1.0, round({window:UInt16} * (1 - exp(-rate * 0.6))
            * (0.85 + 0.3 * r[57]))))) AS act_days,
        toUInt32(least(toFloat64({window:UInt16}), toFloat64(g.age_days),
            act_days + floor(r[58] * ({window:UInt16} - act_days + 1)))) AS span_days,
        end_ms - toUInt64(floor(r[59] * 0.9 * 86400000)) AS last_ts,
        greatest(0.3, 0.6 + 0.8 * r[60] - 0.3 * g.s_struct) AS sigma,
        exp(g.vol_mu + 0.25 * z[5]) * if(g.s_struct > 0.5, 1 - 0.6 * g.small_pref, 1.0) AS size,
        -- USD totals (exact decimals) cover the batch's flows and the alerts' volume
        multiIf(tx_in = 0, al_dec, tx_out = 0, al_dec * 0, al_dec * 6 / 10) AS al_out_dec,
        greatest(CAST(toDecimal128(least(1e12, tx_out * size), 6), 'Decimal128(18)'),
            f_out_dec, al_out_dec) AS dec_out,
        greatest(CAST(toDecimal128(least(1e12, tx_in * size * exp(0.15 * z[6])), 6),
            'Decimal128(18)'), f_in_dec, al_dec - al_out_dec) AS dec_in,
        toFloat64(dec_out) AS out_usd,
        toFloat64(dec_in) AS in_usd,
        if(tx_in > 0, in_usd / tx_in, 0) AS avg_in,
        if(tx_out > 0, out_usd / tx_out, 0) AS avg_out,
        exp(sigma * sqrt(2 * log(1 + tx_total))) AS spread,
        (in_usd + out_usd) / tx_total AS mean_size,
        sqrt(exp(sigma * sigma) - 1) AS cv,
        least(1e12, (in_usd + out_usd) * (1 + r[34])) AS khop1_usd,
        least(1.0, greatest(0.0, g.regularity + 0.15 * z[7])) AS regularity_f,
        1 + (1 - regularity_f) * 3 * exp(0.4 * z[8]) AS burst_f,
        (in_usd + out_usd) / act_days > 250000 AS whale,
        arrayMap(hh -> 0.1 + g.night_pref * (hh < 6) + exp(-pow(least(abs(toInt32(hh)
            - g.peak_hour), 24 - abs(toInt32(hh) - g.peak_hour)), 2) / 8.0) * (0.5 + rb[hh + 1]),
            range(24)) AS hw,
        arrayMap(x -> toUInt64(floor(tx_total * x / hw_sum)), hw) AS hb,
        arraySum(hw) AS hw_sum,
        arraySum(hb) AS hb_sum,
        arrayMap((bin, pos) -> toUInt16(least(65535, bin + if(pos = g.peak_hour + 1,
            tx_total - hb_sum, 0))), hb, arrayEnumerate(hb)) AS hourly,
        arrayMap(dd -> 0.3 + exp(-pow(least(abs(toInt32(dd) - g.peak_day),
            7 - abs(toInt32(dd) - g.peak_day)), 2) / 2.0) * (0.5 + rb[25 + dd]), range(7)) AS dw,
        arrayMap(x -> toUInt64(floor(tx_total * x / dw_sum)), dw) AS db,
        arraySum(dw) AS dw_sum,
        arraySum(db) AS db_sum,
        arrayMap((bin, pos) -> toUInt16(least(65535, bin + if(pos = g.peak_day + 1,
            tx_total - db_sum, 0))), db, arrayEnumerate(db)) AS daily
    FROM
    (
        SELECT processing_date, idx
        FROM {db:Identifier}._risktrain_gen_batch
        WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
    ) AS b
    INNER JOIN
    (
        SELECT *
        FROM {db:Identifier}._risktrain_gen_addresses
        WHERE idx IN
        (
            SELECT idx FROM {db:Identifier}._risktrain_gen_batch
            WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
        )
    ) AS g ON g.idx = b.idx
    LEFT JOIN alerted AS a ON a.processing_date = b.processing_date AND a.address = g.address
    LEFT JOIN outgoing AS o ON o.processing_date = b.processing_date AND o.address = g.address
    LEFT JOIN incoming AS i ON i.processing_date = b.processing_date AND i.address = g.address
)
