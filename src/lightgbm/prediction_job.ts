/**
 * One prediction over a slice of a matrix's rows from a model's text: plain data, so it can
 * be posted to a {@linkcode TrainingPool} worker, which keeps the parsed model for the next
 * slice of the same model.
 *
 * @module
 */
import { initLightGBM } from "./_wasm.ts";
import { Booster, type PredictType } from "./booster.ts";
import type { DatasetSource } from "./dataset.ts";

/** A prediction job: a model (text), a column-major matrix and the rows to predict. */
export interface PredictionJob {
  /** LightGBM model text. */
  modelText: string;
  /** Identifies `modelText`, so that a worker parses a model once for all its slices. */
  modelKey: string;
  /** Column-major matrix; on a SharedArrayBuffer it reaches a worker without a copy. */
  source: Pick<DatasetSource, "numRows" | "numFeatures" | "data">;
  /** First row predicted. */
  firstRow: number;
  /** Rows predicted, from `firstRow`. */
  rowCount: number;
  /** What to predict (see `Booster.predict`). */
  type: PredictType;
}

let cached: { key: string; booster: Booster } | null = null;

/**
 * Runs one prediction job in this realm (a pool worker calls this): `Booster.predict` of the
 * job's rows, in the layout it returns.
 *
 * @example
 * ```ts ignore
 * const contrib = await runPredictionJob({ modelText, modelKey: "m", source: matrix,
 *   firstRow: 0, rowCount: matrix.numRows, type: "contrib" });
 * ```
 */
export async function runPredictionJob(job: PredictionJob): Promise<Float64Array> {
  await initLightGBM();
  if (cached?.key !== job.modelKey) {
    cached?.booster.free();
    cached = null; // not a freed booster, should parsing the new model throw
    cached = { key: job.modelKey, booster: Booster.fromModelString(job.modelText) };
  }
  const rows = Int32Array.from({ length: job.rowCount }, (_, i) => job.firstRow + i);
  return cached.booster.predict(job.source, { type: job.type, rows });
}
