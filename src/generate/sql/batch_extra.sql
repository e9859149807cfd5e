-- Adds, for each processing date of a range, up to a fixed number of never-alerted flow
-- counterparties that get a feature row too (a seeded sample).
INSERT INTO {db:Identifier}._risktrain_gen_batch
SELECT processing_date, idx, 0 AS alerted
FROM
(
    SELECT
        processing_date,
        idx,
        row_number() OVER (PARTITION BY processing_date
            ORDER BY cityHash64({seed:UInt64}, toUInt32(processing_date), idx), idx) AS rank_in_date
    FROM
    (
        SELECT processing_date, arrayJoin([from_idx, to_idx]) AS idx
        FROM {db:Identifier}._risktrain_gen_edges
        WHERE processing_date BETWEEN {d0:Date} AND {d1:Date}
    )
    WHERE (processing_date, idx) NOT IN
    (
        SELECT processing_date, idx FROM {db:Identifier}._risktrain_gen_batch
        WHERE alerted = 1 AND processing_date BETWEEN {d0:Date} AND {d1:Date}
    )
    GROUP BY processing_date, idx
)
WHERE rank_in_date <= {extra:UInt32}
