/**
 * A batch folder's META.json (each file's SHA-256 and row count) and the check of the
 * folder's files against it, before anything is loaded.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import { type ParquetColumns, parquetColumns } from "./parquet_columns.ts";
import { BATCH_FILES, REQUIRED_BATCH_FILES, type SnapshotBatch } from "./snapshot_layout.ts";

const FileEntry = z.object({
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "Expected a SHA-256 in hex"),
  rows: z.int().min(0).optional(),
  row_count: z.int().min(0).optional(),
}).refine((entry) => entry.rows !== undefined || entry.row_count !== undefined, {
  message: "Expected a row count (rows or row_count)",
});

/**
 * META.json: `{"files": {"features.parquet": {"sha256": "...", "rows": 700}, ...}}`, or
 * `files` as a list of `{"name": "features.parquet", "sha256": ..., "row_count": ...}`.
 * Other keys are ignored.
 */
const MetaSchema = z.object({
  files: z.union([
    z.record(z.string(), FileEntry),
    z.array(z.object({ name: z.string() }).and(FileEntry)),
  ]),
});

/** A verified file of a batch: its footer. */
export interface VerifiedFile extends ParquetColumns {
  /** Path of the file. */
  path: string;
  /** Its SHA-256 (hex), as META.json lists it. */
  sha256: string;
}

/** The verified files of a batch, by file name (absent optional files are missing). */
export type VerifiedBatch = Map<string, VerifiedFile>;

function where(batch: SnapshotBatch): string {
  return `${batch.processingDate}/${batch.windowDays}`;
}

async function readMeta(
  batch: SnapshotBatch,
): Promise<Map<string, { sha256: string; rows: number }>> {
  const path = join(batch.dir, "META.json");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new RiskTrainError("DATA_INVALID", `Batch ${where(batch)} has no META.json: ${path}`);
    }
    throw error;
  }
  let parsed: z.infer<typeof MetaSchema>;
  try {
    parsed = MetaSchema.parse(JSON.parse(text));
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
    throw new RiskTrainError("DATA_INVALID", `Unreadable META.json: ${path} (${detail})`, {
      cause: error,
    });
  }
  const list = Array.isArray(parsed.files)
    ? parsed.files
    : Object.entries(parsed.files).map(([name, entry]) => ({ name, ...entry }));
  return new Map(list.map((entry) => [entry.name, {
    sha256: entry.sha256.toLowerCase(),
    rows: (entry.rows ?? entry.row_count)!,
  }]));
}

/** SHA-256 of bytes, hex. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks a batch folder against its META.json: the required files (features, money flows,
 * patterns) are there, every Parquet file present is listed, and each listed file has the
 * listed SHA-256 and, in its Parquet footer, the listed row count. Throws DATA_INVALID
 * naming the file and what differs.
 *
 * @example
 * ```ts ignore
 * import { verifyBatch } from "./snapshot_meta.ts";
 * const files = await verifyBatch({ processingDate: "2025-12-01", windowDays: 7, dir });
 * ```
 */
export async function verifyBatch(batch: SnapshotBatch): Promise<VerifiedBatch> {
  const meta = await readMeta(batch);
  const verified: VerifiedBatch = new Map();
  const names = [...REQUIRED_BATCH_FILES, ...Object.keys(BATCH_FILES)];
  for (const name of new Set([...names, ...meta.keys()])) {
    const path = join(batch.dir, name);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      if (meta.has(name) || REQUIRED_BATCH_FILES.includes(name)) {
        throw new RiskTrainError("DATA_INVALID", `Batch ${where(batch)} lacks ${name}: ${path}`);
      }
      continue;
    }
    const listed = meta.get(name);
    if (listed === undefined) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `META.json of batch ${where(batch)} does not list ${name}: ${batch.dir}`,
      );
    }
    const digest = await sha256(bytes);
    if (digest !== listed.sha256) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Checksum mismatch: ${path} has SHA-256 ${digest} (META.json: ${listed.sha256})`,
      );
    }
    if (!name.endsWith(".parquet")) continue;
    const footer = parquetColumns(bytes, path);
    if (footer.rows !== listed.rows) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Row count mismatch: ${path} holds ${footer.rows} rows (META.json: ${listed.rows})`,
      );
    }
    verified.set(name, { path, sha256: digest, ...footer });
  }
  return verified;
}
