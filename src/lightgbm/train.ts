/**
 * `train(params, trainSet, options)`, shaped like LightGBM's Python `lightgbm.train`.
 *
 * @module
 */
import { throwIfAborted } from "../errors.ts";
import { Booster } from "./booster.ts";
import {
  type CallbackEnv,
  type CallbackEvalResult,
  EarlyStopException,
  earlyStopping,
  type TrainingCallback,
} from "./callbacks.ts";
import type { Dataset } from "./dataset.ts";
import { type LightGBMParams, parseParams } from "./params.ts";

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Boosting iterations (default 100); sets `num_iterations` as Python does. */
  numBoostRound?: number;
  /** Datasets evaluated after each iteration (validation sets built with `reference`). */
  validSets?: readonly Dataset[];
  /** Names of `validSets` (default `valid_0`, `valid_1`, ...; the train set: `training`). */
  validNames?: readonly string[];
  /** Called after each iteration, sorted by `order`. */
  callbacks?: readonly TrainingCallback[];
  /** Stops training with a CancelledError, checked before every iteration. */
  signal?: AbortSignal;
}

/** How long (ms) a training loop runs before yielding to the event loop. */
const YIELD_EVERY_MS = 25;

/**
 * Lets timers, messages and abort events run between iterations. A message round trip
 * costs about 60 µs; `setTimeout(0)` is clamped to several milliseconds once nested, which
 * cost about 8% of a training loop that yields every 25 ms.
 */
export function yieldToEventLoop(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
    port2.close();
  });
}

/** `early_stopping_round` from the parameters, as Python's `train` reads it. */
export function earlyStoppingFromParams(params: LightGBMParams): TrainingCallback | null {
  const rounds = params.early_stopping_round ?? params.early_stopping_rounds;
  if (typeof rounds !== "number" || rounds <= 0) return null;
  return earlyStopping(rounds, {
    firstMetricOnly: params.first_metric_only === true,
    minDelta: typeof params.early_stopping_min_delta === "number"
      ? params.early_stopping_min_delta
      : 0,
  });
}

/** Sorts callbacks by `order`, stable, unordered first. */
export function sortCallbacks(callbacks: readonly TrainingCallback[]): TrainingCallback[] {
  return [...callbacks].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/**
 * Trains a Booster for `numBoostRound` iterations, evaluating the validation sets after
 * each and calling the callbacks; an EarlyStopException from a callback ends training
 * and sets `bestIteration`. The caller owns (and frees) the returned Booster.
 *
 * @example
 * ```ts
 * import { Dataset, initLightGBM, train } from "./mod.ts";
 * await initLightGBM();
 * const matrix = {
 *   numRows: 8, numFeatures: 1, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]),
 *   label: new Float32Array([0, 0, 0, 0, 1, 1, 1, 1]), weight: null, group: null,
 *   featureNames: ["x"], categorical: [],
 * };
 * const params = { objective: "binary", min_data_in_leaf: 1, verbosity: -1 };
 * using dataset = Dataset.fromMatrix(matrix, { params });
 * using booster = await train(params, dataset, { numBoostRound: 5 });
 * console.assert(booster.currentIteration === 5);
 * ```
 */
export async function train(
  params: LightGBMParams,
  trainSet: Dataset,
  options: TrainOptions = {},
): Promise<Booster> {
  const numBoostRound = options.numBoostRound ?? 100;
  if (!Number.isInteger(numBoostRound) || numBoostRound < 0) {
    throw new RangeError(`numBoostRound must be a non-negative integer, got: ${numBoostRound}`);
  }
  const validSets = options.validSets ?? [];
  const validNames = options.validNames ?? validSets.map((_, i) => `valid_${i}`);
  if (validNames.length !== validSets.length) {
    throw new RangeError(
      `validNames has ${validNames.length} names for ${validSets.length} validSets`,
    );
  }
  const parsed = parseParams({ ...params, num_iterations: numBoostRound });
  throwIfAborted(options.signal);
  const callbacks = [...(options.callbacks ?? [])];
  const fromParams = validSets.length > 0 ? earlyStoppingFromParams(parsed) : null;
  if (fromParams) callbacks.push(fromParams);
  const sorted = sortCallbacks(callbacks);

  const booster = Booster.create(parsed, trainSet);
  try {
    let evalTrain = false;
    validSets.forEach((set, i) => {
      if (set === trainSet) evalTrain = true;
      else booster.addValid(set, validNames[i]);
    });
    let lastYield = performance.now();
    for (let iteration = 0; iteration < numBoostRound; iteration++) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      throwIfAborted(options.signal);
      const finished = booster.updateOneIter();
      const results: CallbackEvalResult[] = [
        ...(evalTrain ? booster.evalTrain() : []),
        ...booster.evalValid(),
      ];
      const env: CallbackEnv = {
        booster,
        params: parsed,
        iteration,
        beginIteration: 0,
        endIteration: numBoostRound,
        evaluationResults: results,
      };
      try {
        for (const callback of sorted) callback(env);
      } catch (error) {
        if (!(error instanceof EarlyStopException)) throw error;
        booster.bestIteration = error.bestIteration + 1;
        break;
      }
      if (finished) break;
    }
    return booster;
  } catch (error) {
    booster.free();
    throw error;
  }
}
