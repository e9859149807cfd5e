/**
 * A pool of Deno module workers, one LightGBM WebAssembly instance each, running
 * independent trainings (cross-validation folds, hyperparameter trials) and predictions
 * (slices of a matrix's rows) in parallel.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { CancelledError, type ErrorCode, RiskTrainError } from "../errors.ts";
import type { FromWorker, ToWorker, WorkerError } from "./_pool_protocol.ts";
import type { DatasetSource } from "./dataset.ts";
import { LightGBMError } from "./lightgbm_error.ts";
import { pickJob } from "./_pool_affinity.ts";
import type { PredictionJob } from "./prediction_job.ts";
import type { JobProgress, TrainingJob, TrainingResult } from "./training_job.ts";

const logger = getLogger(["risktrain", "lightgbm"]);

/** Options of {@linkcode TrainingPool}. */
export interface TrainingPoolOptions {
  /** Number of workers (default `navigator.hardwareConcurrency`). */
  size?: number;
}

/** Options of {@linkcode TrainingPool.run}. */
export interface RunOptions {
  /** Cancels the job (queued or running); the promise rejects with CancelledError. */
  signal?: AbortSignal;
  /** Called after every iteration of the job with its evaluation. */
  onProgress?: JobProgress;
  /**
   * Move (transfer) the job's typed arrays that are not on a SharedArrayBuffer to the
   * worker instead of copying them; the caller's arrays become unusable (default false).
   */
  transfer?: boolean;
}

type Work =
  | { kind: "train"; job: TrainingJob; resolve: (result: TrainingResult) => void }
  | { kind: "predict"; job: PredictionJob; resolve: (values: Float64Array) => void };

type Task = Work & {
  id: number;
  options: RunOptions;
  reject: (error: unknown) => void;
  onAbort?: () => void;
};

const datasetKeyOf = (task: Task) => task.kind === "train" ? task.job.datasetKey : undefined;

/** A worker, its running task, and the Dataset keys it reported holding. */
type Slot = { worker: Worker; task: Task | null; datasetKeys: Set<string> };

function revive(error: WorkerError): Error {
  if (error.code === "CANCELLED") return new CancelledError();
  if (error.name === "LightGBMError" && error.apiFunction) {
    const prefix = `LightGBM ${error.apiFunction} failed: `;
    return new LightGBMError(
      error.apiFunction,
      error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
    );
  }
  if (error.code) return new RiskTrainError(error.code as ErrorCode, error.message);
  if (error.name === "RangeError") return new RangeError(error.message);
  if (error.name === "TypeError") return new TypeError(error.message);
  return new Error(error.message);
}

function typedArrays(source: DatasetSource | undefined): ArrayBufferView[] {
  if (!source) return [];
  return [source.data, source.label, source.weight, source.group].filter(
    (a): a is NonNullable<typeof a> => a !== null,
  );
}

/** `values` on a SharedArrayBuffer: itself when it already is, else a copy. */
export function share<T extends Float32Array | Float64Array | Int32Array>(values: T): T {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const Constructor = values.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Constructor(new SharedArrayBuffer(values.byteLength));
  copy.set(values as never);
  return copy;
}

/**
 * Copies a matrix's typed arrays onto SharedArrayBuffers, so that every job posted to a
 * {@linkcode TrainingPool} reads the same memory instead of a copy.
 *
 * @example
 * ```ts
 * import { shareSource } from "./training_pool.ts";
 * const shared = shareSource({ numRows: 2, numFeatures: 1, data: new Float64Array([1, 2]),
 *   label: new Float32Array([0, 1]), weight: null, group: null, featureNames: ["x"],
 *   categorical: [] });
 * console.assert(shared.data.buffer instanceof SharedArrayBuffer);
 * ```
 */
export function shareSource(source: DatasetSource): DatasetSource {
  return {
    ...source,
    data: share(source.data),
    label: share(source.label),
    weight: source.weight && share(source.weight),
    group: source.group && share(source.group),
  };
}

/**
 * Runs {@linkcode TrainingJob}s on a fixed number of module workers, each with its own
 * LightGBM WebAssembly instance, one job per worker at a time, in submission order except
 * that a free worker takes first the jobs whose Datasets (`datasetKey`) it already holds,
 * then those no other worker holds or is building.
 * Close it (or `await using`) so the process can exit. From a local checkout the workers
 * need read permission for the source files (Deno checks a worker's file: modules); from
 * a URL import, import permission for that host.
 *
 * @example
 * ```ts
 * import { shareSource, TrainingPool } from "./training_pool.ts";
 * const data = Float64Array.from({ length: 300 }, (_, i) => (i * 7919) % 300);
 * const source = shareSource({ numRows: 300, numFeatures: 1, data,
 *   label: Float32Array.from(data, (v) => (v > 150 ? 1 : 0)), weight: null, group: null,
 *   featureNames: ["x"], categorical: [] });
 * await using pool = new TrainingPool({ size: 2 });
 * const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
 * const results = await Promise.all([0, 1].map((fold) => pool.run({
 *   params: { objective: "binary", metric: "auc", verbosity: -1, seed: fold },
 *   numBoostRound: 20, source, trainRows: rows(0, 200), validRows: rows(200, 300),
 *   earlyStoppingRounds: 5,
 * })));
 * console.assert(results.every((r) => r.validPredictions?.length === 100));
 * ```
 */
export class TrainingPool implements AsyncDisposable {
  /** Number of workers. */
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 0;
  #closed = false;

  /** Creates the pool; workers start on the first jobs. */
  constructor(options: TrainingPoolOptions = {}) {
    const size = options.size ?? navigator.hardwareConcurrency;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`TrainingPool size must be a positive integer, got: ${size}`);
    }
    this.size = size;
  }

  /** Queues a training job; resolves with its result, rejects with its error. */
  run(job: TrainingJob, options: RunOptions = {}): Promise<TrainingResult> {
    return new Promise((resolve, reject) =>
      this.#enqueue({ kind: "train", job, resolve }, options, reject)
    );
  }

  /**
   * Queues a prediction job; resolves with `Booster.predict`'s values for its rows. A
   * cancelled running prediction stops at once: its worker is replaced.
   */
  predict(job: PredictionJob, options: Pick<RunOptions, "signal"> = {}): Promise<Float64Array> {
    return new Promise((resolve, reject) =>
      this.#enqueue({ kind: "predict", job, resolve }, options, reject)
    );
  }

  #enqueue(work: Work, options: RunOptions, reject: (error: unknown) => void): void {
    if (this.#closed) return reject(new RiskTrainError("LIGHTGBM", "TrainingPool is closed"));
    if (options.signal?.aborted) return reject(new CancelledError(options.signal.reason));
    const task: Task = { ...work, id: this.#nextId++, options, reject };
    if (options.signal) {
      task.onAbort = () => this.#cancel(task);
      options.signal.addEventListener("abort", task.onAbort, { once: true });
    }
    this.#queue.push(task);
    this.#dispatch();
  }

  #settle(task: Task, error: unknown, result?: TrainingResult | Float64Array): void {
    if (task.onAbort) task.options.signal?.removeEventListener("abort", task.onAbort);
    if (error === null) (task.resolve as (value: unknown) => void)(result);
    else task.reject(error);
  }

  #cancel(task: Task): void {
    const queued = this.#queue.indexOf(task);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(task, new CancelledError(task.options.signal?.reason));
      return;
    }
    const slot = this.#slots.find((s) => s.task === task);
    if (!slot) return;
    if (task.kind === "train") {
      slot.worker.postMessage({ type: "cancel", id: task.id } satisfies ToWorker);
      return;
    }
    // A prediction is one WebAssembly call that cannot stop part-way: end its worker.
    slot.worker.terminate();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    this.#settle(task, new CancelledError(task.options.signal?.reason));
    this.#dispatch();
  }

  #spawn(): Slot {
    const worker = new Worker(new URL("./_pool_worker.ts", import.meta.url), { type: "module" });
    const slot: Slot = { worker, task: null, datasetKeys: new Set() };
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(slot, event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#crash(slot, event.message);
    };
    worker.onmessageerror = () => this.#crash(slot, "a message could not be deserialised");
    this.#slots.push(slot);
    logger.debug("Started training worker {workers} of {size}", {
      workers: this.#slots.length,
      size: this.size,
    });
    return slot;
  }

  /** A worker died: fail its job and replace it (once, however many errors it reports). */
  #crash(slot: Slot, reason: string): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    logger.error("Training worker failed: {reason}", { reason });
    slot.worker.terminate();
    this.#slots.splice(index, 1);
    if (slot.task) {
      this.#settle(slot.task, new RiskTrainError("LIGHTGBM", `Training worker failed: ${reason}`));
    }
    this.#dispatch();
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((s) => s.task === null);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      if (!slot) return;
      const [task] = this.#queue.splice(this.#pick(slot), 1);
      slot.task = task;
      if (task.kind === "predict") {
        slot.worker.postMessage({ type: "predict", id: task.id, job: task.job } satisfies ToWorker);
        continue;
      }
      const transfer = task.options.transfer
        ? [...typedArrays(task.job.source), ...typedArrays(task.job.validSource)]
          .map((a) => a.buffer)
          .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
        : [];
      const message: ToWorker = {
        type: "run",
        id: task.id,
        job: task.job,
        progress: task.options.onProgress !== undefined,
      };
      slot.worker.postMessage(message, [...new Set(transfer)]);
    }
  }

  /** Index of the queued job that the free worker of `slot` should run. */
  #pick(slot: Slot): number {
    const elsewhere = new Set<string>();
    for (const other of this.#slots) {
      if (other === slot) continue;
      for (const key of other.datasetKeys) elsewhere.add(key);
      const running = other.task ? datasetKeyOf(other.task) : undefined;
      if (running !== undefined) elsewhere.add(running);
    }
    return pickJob(this.#queue.map(datasetKeyOf), slot.datasetKeys, elsewhere);
  }

  #receive(slot: Slot, message: FromWorker): void {
    const task = slot.task;
    if (!task || task.id !== message.id) return;
    if (message.type === "progress") {
      task.options.onProgress?.(message.iteration, message.results);
      return;
    }
    slot.task = null;
    slot.datasetKeys = new Set(message.datasetKeys);
    if (message.type === "done") this.#settle(task, null, message.result);
    else if (message.type === "predicted") this.#settle(task, null, message.values);
    else this.#settle(task, revive(message.error));
    this.#dispatch();
  }

  /** Stops every worker; queued and running jobs reject with CancelledError. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.worker.terminate();
      if (slot.task) this.#settle(slot.task, new CancelledError("TrainingPool closed"));
    }
    for (const task of this.#queue) this.#settle(task, new CancelledError("TrainingPool closed"));
    this.#slots.length = 0;
    this.#queue.length = 0;
    return Promise.resolve();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
