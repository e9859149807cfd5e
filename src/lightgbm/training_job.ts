/**
 * One independent training (a cross-validation fold or a hyperparameter trial) from
 * typed arrays: Datasets from (rows of) a matrix, `train` with optional early stopping on
 * validation rows, and the results a search needs. Runs in a {@linkcode TrainingPool}
 * worker or in-process.
 *
 * @module
 */
import { initLightGBM } from "./_wasm.ts";
import type { EvalResult, PredictType } from "./booster.ts";
import { earlyStopping, type EvaluationHistory, recordEvaluation } from "./callbacks.ts";
import { Dataset, type DatasetSource } from "./dataset.ts";
import type { LightGBMParams } from "./params.ts";
import { train } from "./train.ts";

/** A training job: plain data (typed arrays), so it can be posted to a worker. */
export interface TrainingJob {
  /** LightGBM parameters (also used to construct the Datasets). */
  params: LightGBMParams;
  /** Most boosting iterations. */
  numBoostRound: number;
  /**
   * Column-major matrix. Typed arrays on a SharedArrayBuffer (see `shareSource`) reach a
   * worker without a copy.
   */
  source: DatasetSource;
  /** Training rows of `source` (default: all rows). */
  trainRows?: Int32Array | Uint32Array;
  /** Validation rows (of `validSource`, else of `source`): evaluated and predicted. */
  validRows?: Int32Array | Uint32Array;
  /** A separate validation matrix (default: `source`). */
  validSource?: DatasetSource;
  /** Use the validation rows' weights in evaluation (default true). */
  validWeights?: boolean;
  /** Stop when the validation metric has not improved for this many iterations. */
  earlyStoppingRounds?: number;
  /** Only the first metric decides early stopping (default true). */
  firstMetricOnly?: boolean;
  /** What to predict for the validation rows (default `normal`). */
  predictType?: Extract<PredictType, "normal" | "raw">;
  /** Return the model text (default true). */
  returnModel?: boolean;
  /**
   * Reuse the constructed Datasets of an earlier job with the same key in the same
   * worker. The key must identify the matrix, the rows and the Dataset parameters.
   */
  datasetKey?: string;
}

/** What a {@linkcode TrainingJob} returns. */
export interface TrainingResult {
  /** LightGBM model text (up to the best iteration when early stopping ran), or null. */
  modelText: string | null;
  /** Evaluation after every iteration: `evalHistory.valid[metric][iteration]`. */
  evalHistory: EvaluationHistory;
  /** Best iteration (1-based) when early stopping ran, else 0. */
  bestIteration: number;
  /** Iterations trained. */
  numIterations: number;
  /** Predictions of the validation rows (at the best iteration), or null. */
  validPredictions: Float64Array | null;
  /** Feature importance (at the best iteration). */
  featureImportance: { split: Float64Array; gain: Float64Array };
  /** Milliseconds spent building (or finding cached) Datasets, and training. */
  timings: { datasetMs: number; trainMs: number };
  /** True when the Datasets came from the worker's cache (`datasetKey`), not built anew. */
  reusedDatasets: boolean;
}

/** Progress of a running job: the iteration just done (0-based) and its evaluation. */
export type JobProgress = (iteration: number, results: readonly EvalResult[]) => void;

type CachedDatasets = { train: Dataset; valid: Dataset | null; cells: number };
const cache = new Map<string, CachedDatasets>();
/** Most Datasets a worker keeps, and most matrix cells (rows x features) they may span. */
const CACHE_ENTRIES = 12;
const CACHE_CELLS = 1.5e9;

function buildDatasets(job: TrainingJob): CachedDatasets {
  const train = Dataset.fromMatrix(job.source, { params: job.params, rows: job.trainRows });
  try {
    const valid = job.validRows
      ? Dataset.fromMatrix(job.validSource ?? job.source, {
        params: job.params,
        rows: job.validRows,
        reference: train,
        useWeight: job.validWeights ?? true,
      })
      : null;
    const rows = (job.trainRows?.length ?? job.source.numRows) + (job.validRows?.length ?? 0);
    return { train, valid, cells: rows * job.source.numFeatures };
  } catch (error) {
    train.free();
    throw error;
  }
}

/** The job's Datasets: built anew without a `datasetKey`, else from (or into) the cache. */
function datasetsFor(job: TrainingJob): { sets: CachedDatasets; reused: boolean } {
  if (job.datasetKey === undefined) return { sets: buildDatasets(job), reused: false };
  let sets = cache.get(job.datasetKey);
  const reused = sets !== undefined;
  if (sets) {
    cache.delete(job.datasetKey);
  } else {
    sets = buildDatasets(job);
  }
  cache.set(job.datasetKey, sets);
  // Least recently used first out; the Datasets of this job always stay.
  let cells = 0;
  for (const entry of cache.values()) cells += entry.cells;
  while (cache.size > 1 && (cache.size > CACHE_ENTRIES || cells > CACHE_CELLS)) {
    const [oldest, entry] = cache.entries().next().value!;
    cache.delete(oldest);
    cells -= entry.cells;
    entry.valid?.free();
    entry.train.free();
  }
  return { sets, reused };
}

/** Keys of the Datasets this realm holds, least recently used first. */
export function cachedDatasetKeys(): string[] {
  return [...cache.keys()];
}

/**
 * Runs one training job in this realm (a pool worker calls this).
 *
 * @example
 * ```ts
 * import { runTrainingJob } from "./training_job.ts";
 * const data = Float64Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
 * const label = Float32Array.from(data, (v) => (v > 100 ? 1 : 0));
 * const source = { numRows: 200, numFeatures: 1, data, label, weight: null, group: null,
 *   featureNames: ["x"], categorical: [] };
 * const result = await runTrainingJob({
 *   params: { objective: "binary", metric: "auc", verbosity: -1 }, numBoostRound: 20,
 *   source, trainRows: Int32Array.from({ length: 150 }, (_, i) => i),
 *   validRows: Int32Array.from({ length: 50 }, (_, i) => 150 + i), earlyStoppingRounds: 5,
 * });
 * console.assert(result.validPredictions?.length === 50);
 * ```
 */
export async function runTrainingJob(
  job: TrainingJob,
  signal?: AbortSignal,
  onProgress?: JobProgress,
): Promise<TrainingResult> {
  await initLightGBM();
  const started = performance.now();
  const { sets, reused } = datasetsFor(job);
  const datasetMs = performance.now() - started;
  try {
    const evalHistory: EvaluationHistory = {};
    const callbacks = [recordEvaluation(evalHistory)];
    if (job.earlyStoppingRounds && sets.valid) {
      callbacks.push(earlyStopping(job.earlyStoppingRounds, {
        firstMetricOnly: job.firstMetricOnly ?? true,
        verbose: false,
      }));
    }
    if (onProgress) {
      const progress = Object.assign(
        (env: { iteration: number; evaluationResults: readonly EvalResult[] }) =>
          onProgress(env.iteration, env.evaluationResults),
        { order: 15 },
      );
      callbacks.push(progress);
    }
    const trainStarted = performance.now();
    using booster = await train(job.params, sets.train, {
      numBoostRound: job.numBoostRound,
      validSets: sets.valid ? [sets.valid] : [],
      validNames: sets.valid ? ["valid"] : [],
      callbacks,
      signal,
    });
    const validPredictions = sets.valid && job.validRows
      ? booster.predict(job.validSource ?? job.source, {
        rows: job.validRows,
        type: job.predictType ?? "normal",
      })
      : null;
    const result: TrainingResult = {
      modelText: job.returnModel === false ? null : booster.saveModelToString(),
      evalHistory,
      bestIteration: booster.bestIteration,
      numIterations: booster.currentIteration,
      validPredictions,
      featureImportance: {
        split: booster.featureImportance("split"),
        gain: booster.featureImportance("gain"),
      },
      timings: { datasetMs, trainMs: 0 },
      reusedDatasets: reused,
    };
    result.timings.trainMs = performance.now() - trainStarted;
    return result;
  } finally {
    if (job.datasetKey === undefined) {
      sets.valid?.free();
      sets.train.free();
    }
  }
}
