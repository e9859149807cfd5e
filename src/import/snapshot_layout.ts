/**
 * The upstream's export layout: `risk-scoring/snapshots/<network>/<processing_date>/<window_days>/`
 * batch folders, and `risk-scoring/address-labels/<network>_address_labels.parquet`.
 *
 * @module
 */
import { join } from "node:path";
import { RiskTrainError } from "../errors.ts";

/** The Parquet files of a batch folder and the table each one fills. */
export const BATCH_FILES = {
  "features.parquet": "raw_features",
  "money_flows.parquet": "raw_money_flows",
  "alerts.parquet": "raw_alerts",
  "clusters.parquet": "raw_clusters",
} as const;

/** A Parquet file of a batch that fills a table. */
export type BatchFile = keyof typeof BATCH_FILES;

/** Files every batch folder holds (patterns.parquet is verified, not loaded: no table reads it). */
export const REQUIRED_BATCH_FILES = ["features.parquet", "money_flows.parquet", "patterns.parquet"];

/** One batch folder. */
export interface SnapshotBatch {
  /** `YYYY-MM-DD`. */
  processingDate: string;
  /** The look-back window. */
  windowDays: number;
  /** The folder. */
  dir: string;
}

/** The batches and labels file of one network under an export root. */
export interface SnapshotLayout {
  /** The `snapshots/<network>` folder. */
  networkDir: string;
  /** Batches by processing_date, then window_days. */
  batches: SnapshotBatch[];
  /** The network's labels file, when present. */
  labelsFile?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WINDOW = /^[1-9]\d{0,4}$/;

async function isKind(path: string, kind: "isDirectory" | "isFile"): Promise<boolean> {
  try {
    return (await Deno.stat(path))[kind];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const isDirectory = (path: string) => isKind(path, "isDirectory");
const isFile = (path: string) => isKind(path, "isFile");

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isDirectory) names.push(entry.name);
  return names.sort();
}

/**
 * Finds the batch folders of `network` under `root` (the folder holding `risk-scoring/`, or
 * `risk-scoring/` itself), optionally within [startDate, endDate]. Folders whose names are
 * not a date and a window are ignored. Throws NO_DATA when there is none.
 *
 * @example
 * ```ts ignore
 * import { findSnapshots } from "./snapshot_layout.ts";
 * const { batches, labelsFile } = await findSnapshots("exports", "torus", {});
 * ```
 */
export async function findSnapshots(
  root: string,
  network: string,
  range: { startDate?: string; endDate?: string },
): Promise<SnapshotLayout> {
  const base = await isDirectory(join(root, "risk-scoring")) ? join(root, "risk-scoring") : root;
  const networkDir = join(base, "snapshots", network);
  if (!await isDirectory(networkDir)) {
    throw new RiskTrainError(
      "NO_DATA",
      `No snapshots of ${network} under ${root} (expected the folder ${networkDir})`,
    );
  }
  const batches: SnapshotBatch[] = [];
  for (const date of await entries(networkDir)) {
    if (!DATE.test(date) || Number.isNaN(Date.parse(date + "T00:00:00Z"))) continue;
    if (range.startDate !== undefined && date < range.startDate) continue;
    if (range.endDate !== undefined && date > range.endDate) continue;
    const windows = (await entries(join(networkDir, date))).filter((name) => WINDOW.test(name));
    windows.sort((a, b) => Number(a) - Number(b));
    for (const window of windows) {
      batches.push({
        processingDate: date,
        windowDays: Number(window),
        dir: join(networkDir, date, window),
      });
    }
  }
  if (batches.length === 0) {
    const within = range.startDate !== undefined || range.endDate !== undefined
      ? ` between ${range.startDate ?? "the first"} and ${range.endDate ?? "the last"}`
      : "";
    throw new RiskTrainError(
      "NO_DATA",
      `No batch folders (<processing_date>/<window_days>) in ${networkDir}${within}`,
    );
  }
  const labels = join(base, "address-labels", `${network}_address_labels.parquet`);
  return { networkDir, batches, ...(await isFile(labels) ? { labelsFile: labels } : {}) };
}

/** Whether `file` is in the batch folder. */
export async function batchHas(batch: SnapshotBatch, file: string): Promise<boolean> {
  return await isFile(join(batch.dir, file));
}
