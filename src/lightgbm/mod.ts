/**
 * LightGBM 4.6.0 compiled to WebAssembly, with a typed API shaped like LightGBM's Python
 * package: {@linkcode Dataset}, {@linkcode Booster}, {@linkcode train}, {@linkcode cv},
 * callbacks, and a {@linkcode TrainingPool} of workers for independent trainings.
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
 * console.assert(booster.saveModelToString().startsWith("tree"));
 * ```
 *
 * @module
 */
export { ensureLightGBM, initLightGBM } from "./_wasm.ts";
export { LightGBMError } from "./lightgbm_error.ts";
export {
  type LightGBMParams,
  type LightGBMParamValue,
  paramsToString,
  parseParams,
} from "./params.ts";
export { Dataset, type DatasetOptions, type DatasetSource, type RowIndices } from "./dataset.ts";
export {
  Booster,
  type EvalResult,
  type PredictOptions,
  type PredictType,
  type SaveModelOptions,
} from "./booster.ts";
export {
  type CallbackEnv,
  type CallbackEvalResult,
  EarlyStopException,
  earlyStopping,
  type EarlyStoppingOptions,
  type EvaluationHistory,
  logEvaluation,
  recordEvaluation,
  type TrainingCallback,
} from "./callbacks.ts";
export { train, type TrainOptions } from "./train.ts";
export { cv, type CvOptions, type CvResult, type Fold, makeFolds } from "./cv.ts";
export {
  type JobProgress,
  runTrainingJob,
  type TrainingJob,
  type TrainingResult,
} from "./training_job.ts";
export { type PredictionJob, runPredictionJob } from "./prediction_job.ts";
export { type PoolPredictOptions, predictOnPool } from "./parallel_predict.ts";
export {
  type RunOptions,
  shareSource,
  TrainingPool,
  type TrainingPoolOptions,
} from "./training_pool.ts";
