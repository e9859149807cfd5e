/**
 * Which month partitions of the output tables another writer changed: the highest block
 * number of a partition's active parts grows with every insert and `REPLACE PARTITION` into
 * it and stays when ClickHouse merges its parts.
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

/** The version of each partition in `refs` (-1 for one without parts), keyed `table/month`. */
export async function partitionVersions(
  ch: ClickHouse,
  db: string,
  refs: readonly PartitionRef[],
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const versions = new Map(refs.map((r) => [`${r.table}/${r.month}`, -1]));
  const found = await ch.query(
    "SELECT table, partition_id, max(max_block_number) AS version FROM system.parts " +
      "WHERE database = {db:String} AND active AND table IN {tables:Array(String)} " +
      "AND partition_id IN {months:Array(String)} GROUP BY table, partition_id",
    {
      params: {
        db,
        tables: [...new Set(refs.map((r) => r.table))],
        months: [...new Set(refs.map((r) => String(r.month)))],
      },
      signal,
    },
  );
  const tables = found.getChild("table")!;
  const months = found.getChild("partition_id")!;
  const numbers = found.getChild("version")!;
  for (let i = 0; i < found.numRows; i++) {
    const key = `${tables.get(i)}/${months.get(i)}`;
    if (versions.has(key)) versions.set(key, Number(numbers.get(i)));
  }
  return versions;
}

/** The partitions, `table/month`, whose version differs between `before` and `after`. */
export function changedPartitions(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): string[] {
  return [...before].filter(([key, version]) => after.get(key) !== version).map(([key]) => key);
}
