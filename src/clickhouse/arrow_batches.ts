/**
 * Decodes Arrow IPC bytes arriving in chunks into record batches, one at a time. A chunk
 * may be a slice of one IPC stream (HTTP) or a complete stream with its own schema and
 * end-of-stream marker (chDB sends one per block): both decode, because the reader
 * continues across concatenated streams.
 *
 * @module
 */
import { type RecordBatch, RecordBatchReader, type Schema, Table } from "npm:apache-arrow@21.2.0";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import type { QueryProgress } from "../types.ts";

/** Settings that make ClickHouse write Arrow this toolkit decodes without codecs. */
export const ARROW_OUTPUT_SETTINGS: Readonly<Record<string, string | number>> = {
  output_format_arrow_compression_method: "none",
  output_format_arrow_string_as_string: 1,
};

/** Options of {@linkcode readArrowBatches}. */
export interface ReadArrowBatchesOptions {
  /** Checked after every chunk and batch; an abort throws CancelledError. */
  signal?: AbortSignal;
  /** Called after each batch with the rows and bytes received so far. */
  onProgress?: (progress: QueryProgress) => void;
  /** Called with the schema of every IPC stream read, even one without batches. */
  onSchema?: (schema: Schema) => void;
}

/**
 * Yields the record batches of an Arrow IPC byte stream delivered in chunks.
 *
 * @example
 * ```ts
 * import { tableFromArrays, tableToIPC } from "npm:apache-arrow@21.2.0";
 * import { readArrowBatches } from "./arrow_batches.ts";
 * const bytes = tableToIPC(tableFromArrays({ x: Int32Array.of(1, 2) }), "stream");
 * async function* chunks() { yield bytes.subarray(0, 10); yield bytes.subarray(10); }
 * let rows = 0;
 * for await (const batch of readArrowBatches(chunks())) rows += batch.numRows;
 * console.assert(rows === 2);
 * ```
 */
export async function* readArrowBatches(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadArrowBatchesOptions = {},
): AsyncGenerator<RecordBatch> {
  const { signal, onProgress, onSchema } = options;
  const progress: QueryProgress = { rows: 0, bytes: 0 };
  const source = chunks[Symbol.asyncIterator]();
  async function* counted(): AsyncGenerator<Uint8Array> {
    while (true) {
      const next = await source.next();
      if (next.done) return;
      throwIfAborted(signal);
      progress.bytes += next.value.byteLength;
      yield next.value;
    }
  }
  try {
    for await (const reader of RecordBatchReader.readAll(counted())) {
      onSchema?.(reader.schema);
      for await (const batch of reader) {
        throwIfAborted(signal);
        progress.rows += batch.numRows;
        onProgress?.({ rows: progress.rows, bytes: progress.bytes });
        yield batch;
      }
    }
    throwIfAborted(signal);
  } finally {
    // The Arrow reader does not pass an early stop on to its source: stop it here, so
    // that the query behind the chunks is cancelled.
    await source.return?.();
  }
}

/**
 * Collects a query's record batches into one table; an empty result keeps the schema that
 * `open` reports through its callback.
 *
 * @example
 * ```ts ignore
 * const table = await collectTable((onSchema) => stream(sql, options, onSchema));
 * ```
 */
export async function collectTable(
  open: (onSchema: (schema: Schema) => void) => AsyncIterable<RecordBatch>,
): Promise<Table> {
  let schema: Schema | undefined;
  const batches: RecordBatch[] = [];
  for await (const batch of open((s) => schema ??= s)) batches.push(batch);
  if (batches.length > 0) return new Table(batches);
  if (schema === undefined) {
    throw new RiskTrainError("CLICKHOUSE_QUERY", "ClickHouse returned no Arrow schema");
  }
  return new Table(schema);
}
