/**
 * The key of a training configuration: identical data and options give the same key, so
 * a model already trained for them can be found (and two identical runs can serialise).
 *
 * @module
 */
import type { FeatureMatrix } from "../types.ts";
import { DEFAULT_TEST_FRACTION } from "./time_split.ts";
import { type TrainOptions, TrainOptionsSchema } from "./train_options.ts";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().filter((key) =>
        (value as Record<string, unknown>)[key] !== undefined
      )
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * The facts a trained model depends on: model type, data provenance (network, database,
 * window, dates, data fingerprint), feature names and every option that changes the model.
 */
export function trainingConfig(
  matrix: Pick<FeatureMatrix, "modelType" | "provenance" | "featureNames">,
  options: TrainOptions = {},
): Record<string, unknown> {
  const {
    signal: _signal,
    onProgress: _onProgress,
    workers: _workers,
    modelType: _type,
    previous: _previous,
    ...rest
  } = TrainOptionsSchema.parse(options);
  // The split is fixed by the test start date when given, else by the fraction (default 0.2).
  if (rest.testStartDate !== undefined) delete rest.testFraction;
  else rest.testFraction ??= DEFAULT_TEST_FRACTION;
  return canonical({
    model_type: matrix.modelType,
    network: matrix.provenance.network,
    database: matrix.provenance.database,
    window_days: matrix.provenance.windowDays,
    start_date: matrix.provenance.startDate,
    end_date: matrix.provenance.endDate,
    data_fingerprint: matrix.provenance.fingerprint,
    feature_names: [...matrix.featureNames],
    options: rest,
  }) as Record<string, unknown>;
}

/**
 * The SHA-256 (hex) of the canonical JSON of {@linkcode trainingConfig}: the key under which
 * `findExisting` looks for a model and `claimTraining` serialises identical runs.
 *
 * @example
 * ```ts ignore
 * const key = await trainingKey(matrix, { trials: 20, seed: 42 });
 * ```
 */
export async function trainingKey(
  matrix: Pick<FeatureMatrix, "modelType" | "provenance" | "featureNames">,
  options: TrainOptions = {},
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(trainingConfig(matrix, options)));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
