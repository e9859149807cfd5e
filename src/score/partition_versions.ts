/**
 * Which month partitions of the output tables another writer changed. A partition's version
 * is the highest block number of its active parts, which grows with every insert and
 * `REPLACE PARTITION` into it and stays when ClickHouse merges its parts, together with the
 * table's latest mutation (`ALTER ... DELETE/UPDATE`, lightweight `DELETE`), which leaves
 * block numbers as they were: a mutation anywhere in the table counts as a change.
 *
 * @module
 */
import type { ClickHouse } from "../types.ts";

/** One month partition of one table. */
export interface PartitionRef {
  /** Table name. */
  table: string;
  /** The partition, `YYYYMM`. */
  month: number;
}

/**
 * The version of each partition in `refs`, keyed `table/month`: `<block>:<mutation>`, with
 * -1 for a partition without parts and 0 for a table never mutated.
 */
export async function partitionVersions(
  ch: ClickHouse,
  db: string,
  refs: readonly PartitionRef[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const tableNames = [...new Set(refs.map((r) => r.table))];
  const blocks = new Map<string, number>();
  const parts = await ch.query(
    "SELECT table, partition_id, max(max_block_number) AS version FROM system.parts " +
      "WHERE database = {db:String} AND active AND table IN {tables:Array(String)} " +
      "AND partition_id IN {months:Array(String)} GROUP BY table, partition_id",
    {
      params: { db, tables: tableNames, months: [...new Set(refs.map((r) => String(r.month)))] },
      signal,
    },
  );
  for (let i = 0; i < parts.numRows; i++) {
    const key = `${parts.getChild("table")!.get(i)}/${parts.getChild("partition_id")!.get(i)}`;
    blocks.set(key, Number(parts.getChild("version")!.get(i)));
  }
  // A MergeTree mutation is mutation_<block number>.txt, numbered from the table's blocks.
  const mutations = new Map<string, number>();
  const mutated = await ch.query(
    "SELECT table, max(toUInt64OrZero(extract(mutation_id, '[0-9]+'))) AS version " +
      "FROM system.mutations WHERE database = {db:String} AND table IN {tables:Array(String)} " +
      "GROUP BY table",
    { params: { db, tables: tableNames }, signal },
  );
  for (let i = 0; i < mutated.numRows; i++) {
    mutations.set(
      String(mutated.getChild("table")!.get(i)),
      Number(mutated.getChild("version")!.get(i)),
    );
  }
  return new Map(refs.map((r) => {
    const key = `${r.table}/${r.month}`;
    return [key, `${blocks.get(key) ?? -1}:${mutations.get(r.table) ?? 0}`];
  }));
}

/** The partitions, `table/month`, whose version differs between `before` and `after`. */
export function changedPartitions(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  return [...before].filter(([key, version]) => after.get(key) !== version).map(([key]) => key);
}
