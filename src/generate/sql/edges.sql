-- The money-flow edges of a range of processing dates: for every address alerted on a
-- date, edges to k_out recipients and from k_in senders (some reciprocated), drawn from the
-- whole population: a mixer with the address's tie probability, else a repeat-alerted
-- address (one in four), else a never-alerted one. Counterparties depend on (seed,
-- address) only, so the graph is stable across dates.
INSERT INTO {db:Identifier}._risktrain_gen_edges
SELECT
    processing_date,
    from_idx,
    to_idx,
    count() OVER (PARTITION BY processing_date, least(from_idx, to_idx),
        greatest(from_idx, to_idx)) = 2 AS bidirectional
FROM
(
    SELECT DISTINCT processing_date, from_idx, to_idx
    FROM
    (
        SELECT
            processing_date,
            arrayJoin(if(reciprocated, [(a, c), (c, a)], [if(outgoing, (a, c), (c, a))]))
                AS pair,
            pair.1 AS from_idx,
            pair.2 AS to_idx
        FROM
        (
            SELECT
                processing_date,
                idx AS a,
                e < k_out AS outgoing,
                arrayMap(k -> (cityHash64({seed:UInt64}, idx, e, k) + 0.5)
                    / 18446744073709551616.0, range(4)) AS q,
                toUInt64(multiIf(
                    q[1] < tie,
                        20 * floor(q[2] * (intDiv({population:UInt64} - 8, 20) + 1)) + 7,
                    q[1] < tie + 0.25,
                        floor({alertable:UInt64} * pow(q[2], 1.5)),
                    {alertable:UInt64}
                        + floor(({population:UInt64} - {alertable:UInt64}) * q[2]))) AS c,
                q[3] < recip AS reciprocated
            FROM
            (
                SELECT b.processing_date AS processing_date, g.idx AS idx, g.k_out AS k_out,
                    g.k_in AS k_in, g.tie AS tie, g.recip AS recip
                FROM
                (
                    SELECT processing_date, idx
                    FROM {db:Identifier}._risktrain_gen_batch
                    WHERE alerted = 1 AND processing_date BETWEEN {d0:Date} AND {d1:Date}
                ) AS b
                INNER JOIN
                (
                    SELECT idx, k_out, k_in, tie, recip
                    FROM {db:Identifier}._risktrain_gen_addresses
                    WHERE idx IN
                    (
                        SELECT idx FROM {db:Identifier}._risktrain_gen_batch
                        WHERE alerted = 1 AND processing_date BETWEEN {d0:Date} AND {d1:Date}
                    )
                ) AS g ON g.idx = b.idx
            )
            ARRAY JOIN range(toUInt32(k_out) + k_in) AS e
        )
    )
    WHERE from_idx != to_idx
)
