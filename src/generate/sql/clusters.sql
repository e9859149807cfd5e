-- The clusters of a range of processing dates at one window, from their alerts: 'same_entity' groups two or more alerts on
-- one address; 'coordinated_pattern' groups alerts of two or more addresses sharing a
-- coordinated pattern id. Ties are broken by alert_id, so the rows are deterministic.
INSERT INTO {db:Identifier}.raw_clusters
SELECT
    {window:UInt16} AS window_days,
    processing_date,
    concat(substring(h, 1, 8), '-', substring(h, 9, 4), '-5', substring(h, 14, 3), '-',
        lower(hex(bitOr(bitAnd(reinterpretAsUInt8(substring(sha, 9, 1)), 63), 128))),
        substring(h, 19, 2), '-', substring(h, 21, 12)) AS cluster_id,
    cluster_type,
    primary_address,
    pattern_id,
    primary_alert_id,
    related_alert_ids,
    addresses_involved,
    total_alerts,
    total_volume_usd,
    severity_max,
    confidence_avg,
    earliest_alert_timestamp,
    latest_alert_timestamp,
    cluster_created_at AS created_at
FROM
(
    SELECT
        processing_date,
        cluster_type,
        grouping_key,
        argMax(address, (volume_usd, alert_id)) AS primary_address,
        if(cluster_type = 'coordinated_pattern', grouping_key, '') AS pattern_id,
        argMax(alert_id, (severity_rank, volume_usd, alert_id)) AS primary_alert_id,
        arraySort(groupArray(alert_id)) AS related_alert_ids,
        arraySort(groupUniqArray(address)) AS addresses_involved,
        toUInt32(count()) AS total_alerts,
        sum(volume_usd) AS total_volume_usd,
        ['low', 'medium', 'high', 'critical'][max(severity_rank)] AS severity_max,
        toFloat32(toFloat64(sum(toDecimal64(alert_confidence_score, 6))) / count())
            AS confidence_avg,
        min(detected_at_ms) AS earliest_alert_timestamp,
        max(detected_at_ms) AS latest_alert_timestamp,
        max(created_at) + 600 AS cluster_created_at,
        SHA1(concat(unhex('6ba7b8129dad11d180b400c04fd430c8'), cluster_type, '|', grouping_key,
            '|', toString(processing_date))) AS sha,
        lower(hex(sha)) AS h
    FROM
    (
        SELECT
            processing_date,
            alert_id,
            address,
            volume_usd,
            alert_confidence_score,
            created_at,
            indexOf(['low', 'medium', 'high', 'critical'], severity) AS severity_rank,
            JSONExtractUInt(evidence_json, 'detected_at_ms') AS detected_at_ms,
            key_and_type.1 AS grouping_key,
            key_and_type.2 AS cluster_type
        FROM {db:Identifier}.raw_alerts
        ARRAY JOIN
            arrayConcat([(address, 'same_entity')],
                if(startsWith(pattern_id, 'PAT-C'), [(pattern_id, 'coordinated_pattern')], []))
            AS key_and_type
        WHERE window_days = {window:UInt16}
            AND processing_date BETWEEN {d0:Date} AND {d1:Date}
    )
    GROUP BY processing_date, cluster_type, grouping_key
    HAVING (cluster_type = 'same_entity' AND total_alerts >= 2)
        OR (cluster_type = 'coordinated_pattern' AND length(addresses_involved) >= 2)
)
