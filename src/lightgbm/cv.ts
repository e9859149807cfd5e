/**
 * `cv(params, trainSet, options)`, shaped like LightGBM's Python `lightgbm.cv`: one
 * Booster per fold on subsets of one constructed Dataset (sharing its bins), the folds'
 * validation metrics averaged after every iteration.
 *
 * @module
 */
import { throwIfAborted } from "../errors.ts";
import { Booster } from "./booster.ts";
import { type CallbackEvalResult, EarlyStopException, type TrainingCallback } from "./callbacks.ts";
import type { Dataset } from "./dataset.ts";
import { type LightGBMParams, parseParams } from "./params.ts";
import { earlyStoppingFromParams, sortCallbacks, yieldToEventLoop } from "./train.ts";
import { mulberry32 } from "./_mulberry32.ts";

/** A fold: row indices into the Dataset for training and for validation. */
export interface Fold {
  /** Training rows. */
  train: Int32Array | Uint32Array | readonly number[];
  /** Validation rows. */
  valid: Int32Array | Uint32Array | readonly number[];
}

/** Options of {@linkcode cv}. */
export interface CvOptions {
  /** Boosting iterations per fold (default 100). */
  numBoostRound?: number;
  /** Number of folds when `folds` is not given (default 5); queries stay whole. */
  nfold?: number;
  /** Explicit folds (row indices of the Dataset). */
  folds?: readonly Fold[];
  /** Seed of the fold assignment (default 0). */
  seed?: number;
  /** Called after each iteration with the folds' averages (`stdv` set). */
  callbacks?: readonly TrainingCallback[];
  /** Also average the training metrics (default false). */
  evalTrainMetric?: boolean;
  /** Stops with a CancelledError, checked before every iteration. */
  signal?: AbortSignal;
}

/** The result of {@linkcode cv}. */
export interface CvResult {
  /** `"valid auc-mean"`, `"valid auc-stdv"`, ... per iteration, as Python's `cv`. */
  results: Record<string, number[]>;
  /** Best iteration (1-based) when early stopping ended cv, else the last one. */
  bestIteration: number;
}

/**
 * `nfold` folds of a Dataset: rows (or whole queries, given query sizes) shuffled with a
 * seeded generator and dealt round-robin.
 *
 * @example
 * ```ts
 * import { makeFolds } from "./cv.ts";
 * const folds = makeFolds(10, 5, 0);
 * console.assert(folds.length === 5 && folds[0].valid.length === 2);
 * ```
 */
export function makeFolds(
  numRows: number,
  nfold: number,
  seed: number,
  querySizes: Int32Array | null = null,
): Fold[] {
  if (!Number.isInteger(nfold) || nfold < 2) {
    throw new RangeError(`nfold must be an integer >= 2, got: ${nfold}`);
  }
  const units = querySizes ? querySizes.length : numRows;
  if (units < nfold) {
    throw new RangeError(`Cannot make ${nfold} folds of ${units} rows or queries`);
  }
  const starts = new Int32Array(units + 1);
  for (let u = 0; u < units; u++) starts[u + 1] = starts[u] + (querySizes ? querySizes[u] : 1);
  const order = Int32Array.from({ length: units }, (_, i) => i);
  const random = mulberry32(seed);
  for (let i = units - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const foldOf = new Int32Array(units);
  order.forEach((unit, position) => (foldOf[unit] = position % nfold));
  return Array.from({ length: nfold }, (_, k) => {
    const train: number[] = [];
    const valid: number[] = [];
    for (let u = 0; u < units; u++) {
      const target = foldOf[u] === k ? valid : train;
      for (let r = starts[u]; r < starts[u + 1]; r++) target.push(r);
    }
    return { train: Int32Array.from(train), valid: Int32Array.from(valid) };
  });
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function stdv(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

/**
 * Cross-validates: trains one Booster per fold for `numBoostRound` iterations and
 * averages the folds' validation metrics after each iteration; callbacks (early stopping
 * included) see the averages, with `stdv`.
 *
 * @example
 * ```ts
 * import { cv, Dataset, initLightGBM } from "./mod.ts";
 * await initLightGBM();
 * const data = Float64Array.from({ length: 40 }, (_, i) => i);
 * const label = Float32Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
 * const matrix = { numRows: 40, numFeatures: 1, data, label, weight: null, group: null,
 *   featureNames: ["x"], categorical: [] };
 * const params = { objective: "binary", metric: "auc", min_data_in_leaf: 1, verbosity: -1 };
 * using dataset = Dataset.fromMatrix(matrix, { params });
 * const result = await cv(params, dataset, { numBoostRound: 3, nfold: 2 });
 * console.assert(result.results["valid auc-mean"].length === 3);
 * ```
 */
export async function cv(
  params: LightGBMParams,
  trainSet: Dataset,
  options: CvOptions = {},
): Promise<CvResult> {
  const numBoostRound = options.numBoostRound ?? 100;
  const parsed = parseParams({ ...params, num_iterations: numBoostRound });
  const group = trainSet.getField("group");
  const querySizes = group ? Int32Array.from(group.subarray(1), (b, i) => b - group[i]) : null;
  const folds = options.folds ??
    makeFolds(trainSet.numRows, options.nfold ?? 5, options.seed ?? 0, querySizes);
  throwIfAborted(options.signal);
  const callbacks = [...(options.callbacks ?? [])];
  const fromParams = earlyStoppingFromParams(parsed);
  if (fromParams) callbacks.push(fromParams);
  const sorted = sortCallbacks(callbacks);

  const owned: Disposable[] = [];
  try {
    const boosters = folds.map((fold) => {
      const train = trainSet.subset(fold.train, parsed);
      owned.push(train);
      const valid = trainSet.subset(fold.valid, parsed);
      owned.push(valid);
      const booster = Booster.create(parsed, train);
      owned.push(booster);
      booster.addValid(valid, "valid");
      return booster;
    });
    const results: Record<string, number[]> = {};
    let bestIteration = 0;
    let lastYield = performance.now();
    for (let iteration = 0; iteration < numBoostRound; iteration++) {
      if (performance.now() - lastYield > 25) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      throwIfAborted(options.signal);
      const perFold = boosters.map((booster) => {
        booster.updateOneIter();
        return [...(options.evalTrainMetric ? booster.evalTrain() : []), ...booster.evalValid()];
      });
      const aggregated: CallbackEvalResult[] = perFold[0].map((first, m) => {
        const values = perFold.map((r) => r[m].value);
        const dataName = first.dataName === "training" ? "train" : "valid";
        return { ...first, dataName, value: mean(values), stdv: stdv(values) };
      });
      for (const r of aggregated) {
        (results[`${r.dataName} ${r.metric}-mean`] ??= []).push(r.value);
        (results[`${r.dataName} ${r.metric}-stdv`] ??= []).push(r.stdv!);
      }
      bestIteration = iteration + 1;
      try {
        for (const callback of sorted) {
          callback({
            booster: null,
            params: parsed,
            iteration,
            beginIteration: 0,
            endIteration: numBoostRound,
            evaluationResults: aggregated.map((r) =>
              r.dataName === "train" ? { ...r, dataName: "training" } : r
            ),
          });
        }
      } catch (error) {
        if (!(error instanceof EarlyStopException)) throw error;
        bestIteration = error.bestIteration + 1;
        for (const key of Object.keys(results)) results[key].length = bestIteration;
        break;
      }
    }
    return { results, bestIteration };
  } finally {
    for (const resource of owned.reverse()) resource[Symbol.dispose]();
  }
}
