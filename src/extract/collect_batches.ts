/**
 * Collects a streamed query into one Arrow table, batch by batch, reporting progress and
 * stopping promptly on abort.
 *
 * @module
 */
import { type RecordBatch, Table } from "npm:apache-arrow@21.2.0";
import { throwIfAborted } from "../errors.ts";
import type { ClickHouse, ExtractProgress, QueryParams } from "../types.ts";

/** Running totals shared by the statements of one extraction. */
export interface ProgressTotals {
  /** Rows received so far. */
  rows: number;
  /** Bytes received so far. */
  bytes: number;
  /** Rows expected in all. */
  expectedRows: number;
}

/** Options of {@linkcode collectBatches}. */
export interface CollectOptions {
  /** ClickHouse settings of the statement. */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** Stops the query. */
  signal?: AbortSignal;
  /** Called after each batch with the totals of the extraction. */
  onProgress?: (progress: ExtractProgress) => void;
}

function batchBytes(batch: RecordBatch): number {
  let bytes = 0;
  const visit = (data: RecordBatch["data"]) => {
    for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds]) {
      if (buffer) bytes += (buffer as ArrayBufferView).byteLength;
    }
    for (const child of data.children) visit(child as RecordBatch["data"]);
  };
  visit(batch.data);
  return bytes;
}

/**
 * Streams `sql` and collects its record batches into one table; a result without batches
 * is read again with `LIMIT 0` for its schema, so an empty table still has its columns.
 *
 * @example
 * ```ts ignore
 * import { collectBatches } from "./collect_batches.ts";
 * const totals = { rows: 0, bytes: 0, expectedRows: 1 };
 * const table = await collectBatches(ch, "SELECT 1 AS x", {}, "alerts", totals, {});
 * ```
 */
export async function collectBatches(
  ch: ClickHouse,
  sql: string,
  params: QueryParams,
  name: string,
  totals: ProgressTotals,
  options: CollectOptions,
): Promise<Table> {
  const { signal, onProgress, settings } = options;
  const batches: RecordBatch[] = [];
  for await (const batch of ch.stream(sql, { params, signal, settings })) {
    throwIfAborted(signal);
    batches.push(batch);
    totals.rows += batch.numRows;
    totals.bytes += batchBytes(batch);
    onProgress?.({ table: name, ...totals });
  }
  throwIfAborted(signal);
  if (batches.length > 0) return new Table(batches);
  return await ch.query("SELECT * FROM (" + sql + ") LIMIT 0", { params, signal, settings });
}
