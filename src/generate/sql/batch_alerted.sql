-- Records, for a range of processing dates, the index of every address alerted on each
-- date (the alerts of the first window; every window has the same alerts).
INSERT INTO {db:Identifier}._risktrain_gen_batch
SELECT a.processing_date, g.idx, 1 AS alerted
FROM
(
    SELECT DISTINCT processing_date, address
    FROM {db:Identifier}.raw_alerts
    WHERE window_days = {window:UInt16} AND processing_date BETWEEN {d0:Date} AND {d1:Date}
) AS a
INNER JOIN
(
    SELECT idx, address
    FROM {db:Identifier}._risktrain_gen_addresses
    WHERE address IN
    (
        SELECT address FROM {db:Identifier}.raw_alerts
        WHERE window_days = {window:UInt16}
            AND processing_date BETWEEN {d0:Date} AND {d1:Date}
    )
) AS g ON g.address = a.address
