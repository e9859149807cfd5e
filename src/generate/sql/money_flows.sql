-- The money flows of a range of processing dates at one window, one row per edge of the
-- helper edges table: amounts depend on the date and the window and follow the sender's
-- traits; hourly and weekly patterns sum to tx_count.
INSERT INTO {db:Identifier}.raw_money_flows
SELECT
    {window:UInt16} AS window_days,
    processing_date,
    from_address,
    to_address,
    tx AS tx_count,
    CAST(toDecimal128(usd / price, 6), 'Decimal128(18)') AS amount_sum,
    CAST(toDecimal128(usd, 6), 'Decimal128(18)') AS amount_usd_sum,
    first_seen AS first_seen_timestamp,
    last_seen AS last_seen_timestamp,
    toUInt32(least(toFloat64(tx), intDiv(last_seen - first_seen, 86400000) + 1.0,
        toFloat64({window:UInt16}))) AS active_days,
    CAST(toDecimal128(usd / tx, 6), 'Decimal128(18)') AS avg_tx_size_usd,
    toUInt32(1 + (r[6] < 0.15) + (r[6] < 0.04)) AS unique_assets,
    ['USDT', 'USDC', 'DAI', 'WETH', 'WBTC', upper({network:String}), 'LINK'][asset_out + 1]
        AS dominant_asset,
    arrayMap((bin, pos) -> toUInt16(bin + if(pos = peak_hour + 1, tx - hb_sum, 0)),
        hb, arrayEnumerate(hb)) AS hourly_pattern,
    arrayMap((bin, pos) -> toUInt16(bin + if(pos = peak_day + 1, tx - db_sum, 0)),
        db, arrayEnumerate(db)) AS weekly_pattern,
    toFloat32(if(bidirectional, round(0.2 + 0.8 * r[7], 4), 0)) AS reciprocity_ratio,
    bidirectional AS is_bidirectional,
    toDateTime(toUInt32(dnum * 86400 + 5400 + floor(r[8] * 3600))) AS created_at
FROM
(
    SELECT
        p.processing_date AS processing_date,
        f.address AS from_address,
        t.address AS to_address,
        p.bidirectional AS bidirectional,
        f.asset_out AS asset_out,
        f.peak_hour AS peak_hour,
        f.peak_day AS peak_day,
        toUInt32(p.processing_date) AS dnum,
        arrayMap(k -> (cityHash64({seed:UInt64}, dnum, {window:UInt16}, p.from_idx, p.to_idx,
            k) + 0.5) / 18446744073709551616.0, range(40)) AS r,
        sqrt(-2 * log(r[1])) * cos(2 * pi() * r[2]) AS z1,
        sqrt(-2 * log(r[3])) * cos(2 * pi() * r[4]) AS z2,
        toUInt64(least(20000.0, greatest(1.0, round(f.tx_rate * {window:UInt16} * f.out_share
            / f.k_out * 0.5 * exp(0.4 * z1))))) AS tx,
        least(1e11, tx * exp(f.vol_mu + 0.3 * z2)
            * if(f.s_struct > 0.5, 1 - 0.6 * f.small_pref, 1.0)) AS usd,
        [1.0, 1.0, 1.0, 2400.0, 42000.0, 1.5, 14.0][f.asset_out + 1] AS price,
        (toUInt64(dnum) + 1 - {window:UInt16}) * 86400000 AS start_ms,
        start_ms + toUInt64(floor(r[5] * {window:UInt16} * 86400000 * 0.8)) AS first_seen,
        if(tx = 1, first_seen, first_seen + toUInt64(floor(r[9]
            * ((toUInt64(dnum) + 1) * 86400000 - 1 - first_seen)))) AS last_seen,
        arrayMap(hh -> 0.15 + exp(-pow(least(abs(toInt32(hh) - f.peak_hour),
            24 - abs(toInt32(hh) - f.peak_hour)), 2) / 8.0) * (0.5 + r[10 + hh]), range(24))
            AS hw,
        arrayMap(x -> toUInt64(floor(tx * x / hw_sum)), hw) AS hb,
        arraySum(hw) AS hw_sum,
        arraySum(hb) AS hb_sum,
        arrayMap(dd -> 0.3 + exp(-pow(least(abs(toInt32(dd) - f.peak_day),
            7 - abs(toInt32(dd) - f.peak_day)), 2) / 2.0) * (0.5 + r[34 + dd]), range(7)) AS dw,
        arrayMap(x -> toUInt64(floor(tx * x / dw_sum)), dw) AS db,
        arraySum(dw) AS dw_sum,
        arraySum(db) AS db_sum
    FROM
    (
        SELECT processing_date, from_idx, to_idx, bidirectional
        FROM {db:Identifier}._risktrain_gen_edges
        WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
    ) AS p
    INNER JOIN
    (
        SELECT idx, address, vol_mu, tx_rate, out_share, k_out, s_struct, small_pref,
            peak_hour, peak_day, asset_out
        FROM {db:Identifier}._risktrain_gen_addresses
        WHERE idx IN
        (
            SELECT from_idx FROM {db:Identifier}._risktrain_gen_edges
            WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
        )
    ) AS f ON f.idx = p.from_idx
    INNER JOIN
    (
        SELECT idx, address
        FROM {db:Identifier}._risktrain_gen_addresses
        WHERE idx IN
        (
            SELECT to_idx FROM {db:Identifier}._risktrain_gen_edges
            WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
        )
    ) AS t ON t.idx = p.to_idx
)
