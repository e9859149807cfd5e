/**
 * Training callbacks shaped like LightGBM's Python package: early stopping, evaluation
 * recording and progress logging. A callback receives a {@linkcode CallbackEnv} after
 * each iteration; early stopping ends training by throwing {@linkcode EarlyStopException}.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import type { Booster, EvalResult } from "./booster.ts";
import type { LightGBMParams } from "./params.ts";

/** An evaluation figure; `stdv` is set by `cv` (standard deviation over the folds). */
export interface CallbackEvalResult extends EvalResult {
  /** Standard deviation over the folds (cv only). */
  stdv?: number;
}

/** What a callback sees after an iteration. */
export interface CallbackEnv {
  /** The Booster being trained (null in `cv`, which trains one per fold). */
  booster: Booster | null;
  /** The training parameters. */
  params: LightGBMParams;
  /** The iteration just done, 0-based. */
  iteration: number;
  /** First iteration (0). */
  beginIteration: number;
  /** One past the last iteration (numBoostRound). */
  endIteration: number;
  /** Evaluation after this iteration. */
  evaluationResults: readonly CallbackEvalResult[];
}

/** A training callback; `order` sorts callbacks (lower first), as in LightGBM. */
export interface TrainingCallback {
  (env: CallbackEnv): void;
  /** Sort key; callbacks without one run first. */
  order?: number;
}

/**
 * Thrown by a callback to end training; `train` catches it and keeps `bestIteration`.
 *
 * @example
 * ```ts
 * import { EarlyStopException } from "./callbacks.ts";
 * const stop = new EarlyStopException(4, []);
 * console.assert(stop.bestIteration === 4);
 * ```
 */
export class EarlyStopException extends Error {
  /** The best iteration, 0-based. */
  readonly bestIteration: number;
  /** Evaluation at the best iteration. */
  readonly bestScore: readonly CallbackEvalResult[];

  /** Creates the exception for a 0-based best iteration. */
  constructor(bestIteration: number, bestScore: readonly CallbackEvalResult[]) {
    super(`Early stopping, best iteration is: ${bestIteration + 1}`);
    this.name = "EarlyStopException";
    this.bestIteration = bestIteration;
    this.bestScore = bestScore;
  }
}

/** Options of {@linkcode earlyStopping}. */
export interface EarlyStoppingOptions {
  /** Only the first metric decides (default false: any metric may stop training). */
  firstMetricOnly?: boolean;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Log when stopping (default true). */
  verbose?: boolean;
}

const logger = getLogger(["risktrain", "lightgbm"]);

function formatResults(results: readonly CallbackEvalResult[]): string {
  return results.map((r) =>
    `${r.dataName}'s ${r.metric}: ${r.value}` + (r.stdv === undefined ? "" : ` + ${r.stdv}`)
  ).join("\t");
}

/**
 * Stops training when no validation metric improved for `stoppingRounds` iterations, as
 * LightGBM's `early_stopping` callback (the training set's own metrics are ignored).
 *
 * @example
 * ```ts
 * import { earlyStopping } from "./callbacks.ts";
 * const callback = earlyStopping(10, { firstMetricOnly: true });
 * console.assert(typeof callback === "function");
 * ```
 */
export function earlyStopping(
  stoppingRounds: number,
  options: EarlyStoppingOptions = {},
): TrainingCallback {
  if (!Number.isInteger(stoppingRounds) || stoppingRounds < 1) {
    throw new RangeError(`stoppingRounds must be a positive integer, got: ${stoppingRounds}`);
  }
  const minDelta = options.minDelta ?? 0;
  let bestScore: number[] = [];
  let bestIter: number[] = [];
  let bestResults: (readonly CallbackEvalResult[])[] = [];
  const callback: TrainingCallback = (env) => {
    const results = env.evaluationResults.filter((r) => r.dataName !== "training");
    if (env.iteration === env.beginIteration) {
      if (results.length === 0) {
        throw new RangeError("earlyStopping needs at least one validation set and metric");
      }
      bestScore = results.map((r) => (r.higherBetter ? -Infinity : Infinity));
      bestIter = results.map(() => 0);
      bestResults = results.map(() => env.evaluationResults);
    }
    const firstMetric = results[0].metric;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      const improved = r.higherBetter
        ? r.value - minDelta > bestScore[i]
        : r.value + minDelta < bestScore[i];
      if (improved) {
        bestScore[i] = r.value;
        bestIter[i] = env.iteration;
        bestResults[i] = env.evaluationResults;
      }
      if (options.firstMetricOnly && r.metric !== firstMetric) continue;
      if (env.iteration - bestIter[i] >= stoppingRounds) {
        if (options.verbose ?? true) {
          logger.info("Early stopping, best iteration is {best}: {results}", {
            best: bestIter[i] + 1,
            results: formatResults(bestResults[i]),
          });
        }
        throw new EarlyStopException(bestIter[i], bestResults[i]);
      }
      if (env.iteration === env.endIteration - 1) {
        throw new EarlyStopException(bestIter[i], bestResults[i]);
      }
    }
  };
  callback.order = 30;
  return callback;
}

/** Evaluation history: `history[dataName][metric][iteration]`. */
export type EvaluationHistory = Record<string, Record<string, number[]>>;

/**
 * Records every evaluation into `history` (cleared first), as LightGBM's
 * `record_evaluation`.
 *
 * @example
 * ```ts
 * import { recordEvaluation, type EvaluationHistory } from "./callbacks.ts";
 * const history: EvaluationHistory = {};
 * const callback = recordEvaluation(history);
 * callback({ booster: null, params: {}, iteration: 0, beginIteration: 0, endIteration: 1,
 *   evaluationResults: [{ dataName: "valid_0", metric: "auc", value: 0.9, higherBetter: true }] });
 * console.assert(history.valid_0.auc[0] === 0.9);
 * ```
 */
export function recordEvaluation(history: EvaluationHistory): TrainingCallback {
  for (const key of Object.keys(history)) delete history[key];
  const callback: TrainingCallback = (env) => {
    for (const r of env.evaluationResults) {
      const byMetric = history[r.dataName] ??= {};
      (byMetric[r.metric] ??= []).push(r.value);
      if (r.stdv !== undefined) (byMetric[`${r.metric}-stdv`] ??= []).push(r.stdv);
    }
  };
  callback.order = 20;
  return callback;
}

/**
 * Logs the evaluation every `period` iterations (and the last one) at info level, or
 * hands it to `onProgress` instead, as LightGBM's `log_evaluation`.
 *
 * @example
 * ```ts
 * import { logEvaluation } from "./callbacks.ts";
 * const seen: number[] = [];
 * const callback = logEvaluation(1, (env) => seen.push(env.iteration));
 * callback({ booster: null, params: {}, iteration: 0, beginIteration: 0, endIteration: 1,
 *   evaluationResults: [] });
 * console.assert(seen[0] === 0);
 * ```
 */
export function logEvaluation(
  period = 1,
  onProgress?: (env: CallbackEnv) => void,
): TrainingCallback {
  const callback: TrainingCallback = (env) => {
    if (period <= 0) return;
    const last = env.iteration === env.endIteration - 1;
    if ((env.iteration + 1) % period !== 0 && !last) return;
    if (onProgress) {
      onProgress(env);
    } else {
      logger.info("[{iteration}] {results}", {
        iteration: env.iteration + 1,
        results: formatResults(env.evaluationResults),
      });
    }
  };
  callback.order = 10;
  return callback;
}
