/**
 * Messages between a TrainingPool and its workers.
 *
 * @module
 */
import type { EvalResult } from "./booster.ts";
import type { PredictionJob } from "./prediction_job.ts";
import type { TrainingJob, TrainingResult } from "./training_job.ts";

/** Pool to worker. */
export type ToWorker =
  | { type: "run"; id: number; job: TrainingJob; progress: boolean }
  | { type: "predict"; id: number; job: PredictionJob }
  | { type: "cancel"; id: number };

/** A serialised error. */
export interface WorkerError {
  name: string;
  code: string | null;
  message: string;
  apiFunction: string | null;
}

/** Worker to pool; a finished job reports the Dataset keys the worker holds. */
export type FromWorker =
  | { type: "done"; id: number; result: TrainingResult; datasetKeys: string[] }
  | { type: "predicted"; id: number; values: Float64Array; datasetKeys: string[] }
  | { type: "failed"; id: number; error: WorkerError; datasetKeys: string[] }
  | { type: "progress"; id: number; iteration: number; results: readonly EvalResult[] };
