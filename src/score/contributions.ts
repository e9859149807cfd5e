/**
 * The SHAP contributions of every row of a matrix (LightGBM's `predict_contrib`), on
 * parallel WebAssembly workers for a large matrix: TreeSHAP is most of scoring's time.
 *
 * @module
 */
import type { Booster } from "../lightgbm/booster.ts";
import { predictOnPool } from "../lightgbm/parallel_predict.ts";
import { TrainingPool } from "../lightgbm/training_pool.ts";
import type { FeatureMatrix } from "../types.ts";

/** Rows from which contributions are computed on a pool of workers unless told otherwise. */
export const PARALLEL_ROWS = 10_000;

/**
 * `booster.predict(matrix, { type: "contrib" })`, on `workers` workers each holding the
 * model `modelText` (default: one per core from {@linkcode PARALLEL_ROWS} rows, else in
 * this realm); the values are the same either way.
 */
export async function contributions(
  booster: Booster,
  modelText: string,
  matrix: Pick<FeatureMatrix, "numRows" | "numFeatures" | "data">,
  options: { workers?: number; signal?: AbortSignal } = {},
): Promise<Float64Array> {
  const workers = options.workers ??
    (matrix.numRows >= PARALLEL_ROWS ? navigator.hardwareConcurrency : 1);
  if (workers <= 1) return booster.predict(matrix, { type: "contrib" });
  await using pool = new TrainingPool({ size: workers });
  return await predictOnPool(pool, modelText, matrix, {
    type: "contrib",
    signal: options.signal,
  });
}
