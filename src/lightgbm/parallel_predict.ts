/**
 * `Booster.predict` of a whole matrix split into one slice of rows per worker of a
 * {@linkcode TrainingPool}: every row is predicted on its own, so the values are those of
 * one in-process prediction.
 *
 * @module
 */
import type { PredictType } from "./booster.ts";
import type { DatasetSource } from "./dataset.ts";
import { share, type TrainingPool } from "./training_pool.ts";

/** Options of {@linkcode predictOnPool}. */
export interface PoolPredictOptions {
  /** What to predict (see `Booster.predict`). */
  type: PredictType;
  /** Cancels the prediction (CancelledError); running slices stop at once. */
  signal?: AbortSignal;
}

/**
 * Predicts every row of `source` with the model `modelText` on `pool`'s workers, one
 * contiguous slice of rows each; returns what `Booster.predict(source, { type })` returns.
 *
 * @example
 * ```ts ignore
 * await using pool = new TrainingPool({ size: 2 });
 * const contrib = await predictOnPool(pool, model.modelText, matrix, { type: "contrib" });
 * ```
 */
export async function predictOnPool(
  pool: TrainingPool,
  modelText: string,
  source: Pick<DatasetSource, "numRows" | "numFeatures" | "data">,
  options: PoolPredictOptions,
): Promise<Float64Array> {
  const { numRows, numFeatures } = source;
  const slices = Math.max(1, Math.min(pool.size, numRows));
  const per = Math.ceil(numRows / slices);
  const matrix = { numRows, numFeatures, data: share(source.data) };
  const modelKey = crypto.randomUUID();
  const parts = await Promise.all(
    Array.from({ length: slices }, (_, i) =>
      pool.predict({
        modelText,
        modelKey,
        source: matrix,
        firstRow: i * per,
        rowCount: Math.max(0, Math.min(per, numRows - i * per)),
        type: options.type,
      }, { signal: options.signal })),
  );
  const result = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
