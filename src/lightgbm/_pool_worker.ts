/**
 * A TrainingPool worker: one LightGBM WebAssembly instance running one job (a training or
 * a prediction) at a time.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CancelledError } from "../errors.ts";
import type { FromWorker, ToWorker, WorkerError } from "./_pool_protocol.ts";
import { runPredictionJob } from "./prediction_job.ts";
import { cachedDatasetKeys, runTrainingJob } from "./training_job.ts";

const running = new Map<number, AbortController>();

function serialise(error: unknown): WorkerError {
  const e = error instanceof Error ? error : new Error(String(error));
  const fields = e as Error & { code?: string; apiFunction?: string };
  return {
    name: e.name,
    code: typeof fields.code === "string" ? fields.code : null,
    message: e.message,
    apiFunction: fields.apiFunction ?? null,
  };
}

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function fail(id: number, error: unknown): void {
  post({ type: "failed", id, error: serialise(error), datasetKeys: cachedDatasetKeys() });
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "cancel") {
    running.get(message.id)?.abort(new CancelledError());
    return;
  }
  if (message.type === "predict") {
    try {
      const values = await runPredictionJob(message.job);
      post({ type: "predicted", id: message.id, values, datasetKeys: cachedDatasetKeys() }, [
        values.buffer as ArrayBuffer,
      ]);
    } catch (error) {
      fail(message.id, error);
    }
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  try {
    const result = await runTrainingJob(
      message.job,
      controller.signal,
      message.progress
        ? (iteration, results) => post({ type: "progress", id: message.id, iteration, results })
        : undefined,
    );
    const transfer = [
      result.featureImportance.split.buffer,
      result.featureImportance.gain.buffer,
      result.validPredictions?.buffer,
    ].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    post({ type: "done", id: message.id, result, datasetKeys: cachedDatasetKeys() }, transfer);
  } catch (error) {
    fail(message.id, error);
  } finally {
    running.delete(message.id);
  }
};
