/**
 * The LightGBM Booster: one iteration at a time, evaluation, prediction (probability,
 * raw score, SHAP contributions, leaf indices), model text and feature importance.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { Dataset, DatasetSource, RowIndices } from "./dataset.ts";
import { call, heap, HeapScope, readStrings, wasm } from "./_wasm.ts";
import { batchLayout, writeRowBatch } from "./_row_batches.ts";
import { type LightGBMParams, paramsToString, parseParams } from "./params.ts";

/** What {@linkcode Booster.predict} returns per row. */
export type PredictType = "normal" | "raw" | "leaf" | "contrib";

const PREDICT_TYPE: Record<PredictType, number> = { normal: 0, raw: 1, leaf: 2, contrib: 3 };

/** Options of {@linkcode Booster.predict}. */
export interface PredictOptions {
  /**
   * `normal`: transformed output (probability for binary); `raw`: raw score; `leaf`:
   * leaf index per tree; `contrib`: SHAP values per feature plus the expected value.
   */
  type?: PredictType;
  /** First iteration used (default 0). */
  startIteration?: number;
  /** Iterations used; default the best iteration when set, else all. */
  numIteration?: number;
  /** Rows of the matrix to predict (default all), in this order. */
  rows?: RowIndices;
  /** Prediction parameters (e.g. `predict_disable_shape_check`). */
  params?: LightGBMParams;
  /** Rows per batch copied into the heap (default: about 16 MiB of values). */
  chunkRows?: number;
}

/** One evaluation figure, like an entry of LightGBM Python's `eval_valid()`. */
export interface EvalResult {
  /** `training` or the validation set's name. */
  dataName: string;
  /** Metric name, e.g. `auc`, `ndcg@10`. */
  metric: string;
  /** Its value. */
  value: number;
  /** Whether a larger value is better. */
  higherBetter: boolean;
}

/** Options of {@linkcode Booster.saveModelToString}. */
export interface SaveModelOptions {
  /** First iteration saved (default 0). */
  startIteration?: number;
  /** Iterations saved; default the best iteration when set, else all. */
  numIteration?: number;
  /** Importance written into the model text (default `split`). */
  importanceType?: "split" | "gain";
}

/** Metric names for which a larger value is better (as LightGBM's Python package). */
function higherBetter(metric: string): boolean {
  return ["auc", "ndcg@", "map@", "average_precision"].some((p) => metric.startsWith(p));
}

function readI32(name: string, handle: number): number {
  using scope = new HeapScope();
  const out = scope.alloc(4);
  call(name, handle, out);
  return heap().i32[out >>> 2];
}

/**
 * A LightGBM Booster in the WebAssembly heap. Free it with `using` or `free()`.
 *
 * @example
 * ```ts
 * import { Booster, Dataset, initLightGBM } from "./mod.ts";
 * await initLightGBM();
 * const matrix = {
 *   numRows: 8, numFeatures: 1, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]),
 *   label: new Float32Array([0, 0, 0, 0, 1, 1, 1, 1]), weight: null, group: null,
 *   featureNames: ["x"], categorical: [],
 * };
 * const params = { objective: "binary", min_data_in_leaf: 1, verbosity: -1 };
 * using dataset = Dataset.fromMatrix(matrix, { params });
 * using booster = Booster.create(params, dataset);
 * booster.updateOneIter();
 * console.assert(booster.predict(matrix).length === 8);
 * ```
 */
export class Booster implements Disposable {
  #handle: number;
  readonly #dataNames: string[] = ["training"];
  #evalNames: string[] | null = null;
  /** Best iteration found by early stopping (1-based), or 0 when not set. */
  bestIteration = 0;

  private constructor(handle: number) {
    this.#handle = handle;
  }

  /** Creates a Booster training on `trainSet` (LGBM_BoosterCreate). */
  static create(params: LightGBMParams, trainSet: Dataset): Booster {
    const parsed = parseParams({ ...params });
    if (
      trainSet.params.categorical_feature !== undefined &&
      parsed.categorical_feature === undefined
    ) {
      parsed.categorical_feature = trainSet.params.categorical_feature;
    }
    using scope = new HeapScope();
    const out = scope.alloc(4);
    call("LGBM_BoosterCreate", trainSet.handle, scope.string(paramsToString(parsed)), out);
    return new Booster(heap().u32[out >>> 2]);
  }

  /** Loads a model from LightGBM's text format (LGBM_BoosterLoadModelFromString). */
  static fromModelString(modelText: string): Booster {
    wasm();
    using scope = new HeapScope();
    const iterations = scope.alloc(4);
    const out = scope.alloc(4);
    call("LGBM_BoosterLoadModelFromString", scope.string(modelText), iterations, out);
    return new Booster(heap().u32[out >>> 2]);
  }

  /** Adds a validation Dataset (built with the training set as reference). */
  addValid(dataset: Dataset, name: string): void {
    call("LGBM_BoosterAddValidData", this.handle, dataset.handle);
    this.#dataNames.push(name);
  }

  /** Names of the data sets evaluated: `training`, then the validation sets in order. */
  get dataNames(): readonly string[] {
    return this.#dataNames;
  }

  /** Boosts one iteration; returns true when no further split was possible. */
  updateOneIter(): boolean {
    return readI32("LGBM_BoosterUpdateOneIter", this.handle) === 1;
  }

  /** Removes the last iteration. */
  rollbackOneIter(): void {
    call("LGBM_BoosterRollbackOneIter", this.handle);
  }

  /** Number of iterations done. */
  get currentIteration(): number {
    return readI32("LGBM_BoosterGetCurrentIteration", this.handle);
  }

  /** Trees per iteration (classes of a multiclass model, else 1). */
  get numModelPerIteration(): number {
    return readI32("LGBM_BoosterNumModelPerIteration", this.handle);
  }

  /** Number of trees. */
  get numTrees(): number {
    return readI32("LGBM_BoosterNumberOfTotalModel", this.handle);
  }

  /** Number of features the model expects. */
  get numFeatures(): number {
    return readI32("LGBM_BoosterGetNumFeature", this.handle);
  }

  /** Feature names of the model. */
  get featureNames(): string[] {
    return readStrings("LGBM_BoosterGetFeatureNames", this.handle, this.numFeatures);
  }

  /** Metric names, in the order of every evaluation. */
  get evalNames(): readonly string[] {
    if (!this.#evalNames) {
      const count = readI32("LGBM_BoosterGetEvalCounts", this.handle);
      this.#evalNames = readStrings("LGBM_BoosterGetEvalNames", this.handle, count);
    }
    return this.#evalNames;
  }

  /** Evaluates data set `dataIndex` (0 training, 1.. validation sets) on every metric. */
  eval(dataIndex: number): EvalResult[] {
    const dataName = this.#dataNames[dataIndex];
    if (dataName === undefined) {
      throw new RangeError(`No data set at index: ${dataIndex}`);
    }
    const names = this.evalNames;
    using scope = new HeapScope();
    const outLength = scope.alloc(4);
    const results = scope.alloc(Math.max(names.length, 1) * 8);
    call("LGBM_BoosterGetEval", this.handle, dataIndex, outLength, results);
    const values = heap().f64.slice(results >>> 3, (results >>> 3) + names.length);
    return names.map((metric, i) => ({
      dataName,
      metric,
      value: values[i],
      higherBetter: higherBetter(metric),
    }));
  }

  /** Evaluates the training data. */
  evalTrain(): EvalResult[] {
    return this.eval(0);
  }

  /** Evaluates every validation set. */
  evalValid(): EvalResult[] {
    return this.#dataNames.slice(1).flatMap((_, i) => this.eval(i + 1));
  }

  /**
   * Predicts rows of a column-major matrix, in batches. Returns one value per row
   * (`normal`, `raw`), `numTrees` leaf indices per row (`leaf`) or `numFeatures + 1`
   * SHAP values per row and class (`contrib`), row-major.
   */
  predict(
    source: Pick<DatasetSource, "numRows" | "numFeatures" | "data">,
    options: PredictOptions = {},
  ): Float64Array {
    const { numRows, numFeatures, data } = source;
    if (data.length !== numRows * numFeatures) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Matrix data holds ${data.length} values, expected: ${numRows * numFeatures}`,
      );
    }
    const rows = options.rows ?? null;
    const n = rows ? rows.length : numRows;
    if (rows) {
      for (let i = 0; i < n; i++) {
        if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= numRows) {
          throw new RiskTrainError(
            "DATA_INVALID",
            `Row index ${rows[i]} at position ${i} is outside 0..${numRows - 1}`,
          );
        }
      }
    }
    const predictType = PREDICT_TYPE[options.type ?? "normal"];
    const start = options.startIteration ?? 0;
    const numIteration = options.numIteration ??
      (start <= 0 && this.bestIteration > 0 ? this.bestIteration : -1);
    const { batch, bytes, dtype } = batchLayout(source, n, options.chunkRows);
    using scope = new HeapScope();
    const params = scope.string(paramsToString(parseParams({ ...options.params })));
    const outLength = scope.alloc(8);
    call("LGBM_BoosterCalcNumPredict", this.handle, 1, predictType, start, numIteration, outLength);
    const perRow = Number(heap().i64[outLength >>> 3]);
    const result = new Float64Array(n * perRow);
    const buffer = scope.alloc(batch * numFeatures * bytes);
    const output = scope.alloc(batch * perRow * 8);
    for (let first = 0; first < n; first += batch) {
      const count = Math.min(batch, n - first);
      writeRowBatch(buffer, source, rows, first, count);
      call(
        "LGBM_BoosterPredictForMat",
        this.handle,
        buffer,
        dtype,
        count,
        numFeatures,
        1,
        predictType,
        start,
        numIteration,
        params,
        outLength,
        output,
      );
      const written = Number(heap().i64[outLength >>> 3]);
      result.set(heap().f64.subarray(output >>> 3, (output >>> 3) + written), first * perRow);
    }
    return result;
  }

  /** The model in LightGBM's text format (LGBM_BoosterSaveModelToString). */
  saveModelToString(options: SaveModelOptions = {}): string {
    const start = options.startIteration ?? 0;
    const numIteration = options.numIteration ??
      (start <= 0 && this.bestIteration > 0 ? this.bestIteration : -1);
    const importance = options.importanceType === "gain" ? 1 : 0;
    let bufferLength = 1 << 20;
    for (;;) {
      using scope = new HeapScope();
      const outLength = scope.alloc(8);
      const buffer = scope.alloc(bufferLength);
      call(
        "LGBM_BoosterSaveModelToString",
        this.handle,
        start,
        numIteration,
        importance,
        BigInt(bufferLength),
        outLength,
        buffer,
      );
      const needed = Number(heap().i64[outLength >>> 3]);
      if (needed > bufferLength) {
        bufferLength = needed;
        continue;
      }
      return wasm().UTF8ToString(buffer, needed);
    }
  }

  /** Importance of each feature: number of splits or total gain. */
  featureImportance(
    type: "split" | "gain" = "split",
    numIteration: number = this.bestIteration > 0 ? this.bestIteration : -1,
  ): Float64Array {
    const n = this.numFeatures;
    using scope = new HeapScope();
    const out = scope.alloc(n * 8);
    call(
      "LGBM_BoosterFeatureImportance",
      this.handle,
      numIteration,
      type === "gain" ? 1 : 0,
      out,
    );
    return heap().f64.slice(out >>> 3, (out >>> 3) + n);
  }

  /** The C handle; throws once freed. */
  get handle(): number {
    if (this.#handle === 0) throw new RiskTrainError("LIGHTGBM", "Booster has been freed");
    return this.#handle;
  }

  /** Frees the heap memory. Idempotent. */
  free(): void {
    if (this.#handle === 0) return;
    const handle = this.#handle;
    this.#handle = 0;
    call("LGBM_BoosterFree", handle);
  }

  /** Same as {@linkcode free}. */
  [Symbol.dispose](): void {
    this.free();
  }
}
