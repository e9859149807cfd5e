/**
 * LightGBM Datasets built from a column-major {@linkcode FeatureMatrix}: bins from a
 * seeded sample of rows (exactly the sample LightGBM's own LGBM_DatasetCreateFromMat
 * draws), then rows pushed in batches, so the matrix is never copied whole into the heap.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { FeatureMatrix } from "../types.ts";
import { call, DTYPE, heap, HeapScope, readStrings } from "./_wasm.ts";
import { batchLayout, writeRowBatch } from "./_row_batches.ts";
import { type LightGBMParams, paramsToString, parseParams } from "./params.ts";

/** The parts of a {@linkcode FeatureMatrix} a Dataset reads. */
export type DatasetSource =
  & Pick<
    FeatureMatrix,
    "numRows" | "numFeatures" | "data" | "label" | "weight" | "group" | "featureNames"
  >
  & { categorical: readonly { index: number }[] };

/** Row indices into a matrix. */
export type RowIndices = Int32Array | Uint32Array | readonly number[];

/** Options of {@linkcode Dataset.fromMatrix}. */
export interface DatasetOptions {
  /**
   * Construction parameters: pass the training parameters (max_bin, min_data_in_leaf
   * for feature pre-filtering, bin_construct_sample_cnt, data_random_seed, ...).
   */
  params?: LightGBMParams;
  /** Rows of the matrix to use, in this order (default: all rows). */
  rows?: RowIndices;
  /** The training Dataset whose bins a validation Dataset shares. */
  reference?: Dataset;
  /** Use the matrix's weights (default true). */
  useWeight?: boolean;
  /** Rows per batch pushed into the heap (default: about 16 MiB of values). */
  chunkRows?: number;
}

/** LightGBM's threshold below which a value counts as zero (`1e-35f`). */
const ZERO_THRESHOLD = Math.fround(1e-35);

function datasetError(message: string): RiskTrainError {
  return new RiskTrainError("DATA_INVALID", message);
}

/** Query sizes from per-row group ids; the rows of one group must be contiguous. */
function groupSizes(group: Int32Array, rows: RowIndices | null, n: number): Int32Array {
  const sizes: number[] = [];
  const seen = new Set<number>();
  let current = 0;
  for (let i = 0; i < n; i++) {
    const id = group[rows ? rows[i] : i];
    if (i > 0 && id === current) {
      sizes[sizes.length - 1]++;
      continue;
    }
    if (seen.has(id)) {
      throw datasetError(`Query group ${id} is not contiguous: its rows must be adjacent`);
    }
    seen.add(id);
    current = id;
    sizes.push(1);
  }
  return Int32Array.from(sizes);
}

/** Validates a source and the row selection; returns the number of rows. */
function checkSource(source: DatasetSource, rows: RowIndices | null): number {
  const { numRows, numFeatures } = source;
  if (!Number.isInteger(numRows) || numRows < 1 || numRows > 0x7fffffff) {
    throw datasetError(`Matrix rows must be 1..2^31-1, got: ${numRows}`);
  }
  if (!Number.isInteger(numFeatures) || numFeatures < 1) {
    throw datasetError(`Matrix must have at least one feature, got: ${numFeatures}`);
  }
  if (source.data.length !== numRows * numFeatures) {
    throw datasetError(
      `Matrix data holds ${source.data.length} values, expected numRows * numFeatures: ${
        numRows * numFeatures
      }`,
    );
  }
  if (source.label.length !== numRows) {
    throw datasetError(`Label length ${source.label.length} differs from numRows: ${numRows}`);
  }
  if (source.weight && source.weight.length !== numRows) {
    throw datasetError(`Weight length ${source.weight.length} differs from numRows: ${numRows}`);
  }
  if (source.group && source.group.length !== numRows) {
    throw datasetError(`Group length ${source.group.length} differs from numRows: ${numRows}`);
  }
  if (source.featureNames.length !== numFeatures) {
    throw datasetError(
      `${source.featureNames.length} feature names for ${numFeatures} features`,
    );
  }
  if (!rows) return numRows;
  if (rows.length < 1) throw datasetError("Row selection is empty");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || row >= numRows) {
      throw datasetError(`Row index ${row} at position ${i} is outside 0..${numRows - 1}`);
    }
  }
  return rows.length;
}

/** Gathers a per-row Float32 field for the selected rows; NaN is rejected. */
function gather(values: Float32Array, rows: RowIndices | null, n: number, name: string) {
  const out = rows ? new Float32Array(n) : values;
  if (rows) { for (let i = 0; i < n; i++) out[i] = values[rows[i]]; }
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(out[i])) {
      const row = rows ? rows[i] : i;
      throw datasetError(
        `${name} of row ${row} is NaN: select labelled rows only (options.rows)`,
      );
    }
  }
  return out;
}

/**
 * A LightGBM Dataset in the WebAssembly heap. Free it with `using` or `free()`.
 *
 * @example
 * ```ts
 * import { Dataset, initLightGBM } from "./mod.ts";
 * await initLightGBM();
 * const matrix = {
 *   numRows: 4, numFeatures: 1, data: new Float64Array([1, 2, 3, 4]),
 *   label: new Float32Array([0, 0, 1, 1]), weight: null, group: null,
 *   featureNames: ["x"], categorical: [],
 * };
 * using dataset = Dataset.fromMatrix(matrix, { params: { min_data_in_leaf: 1 } });
 * console.assert(dataset.numRows === 4);
 * ```
 */
export class Dataset implements Disposable {
  #handle: number;
  /** Number of rows. */
  readonly numRows: number;
  /** Number of features. */
  readonly numFeatures: number;
  /** Feature names. */
  readonly featureNames: readonly string[];
  /** The construction parameters (as passed to LightGBM). */
  readonly params: LightGBMParams;

  private constructor(handle: number, params: LightGBMParams) {
    this.#handle = handle;
    this.params = params;
    using scope = new HeapScope();
    const out = scope.alloc(4);
    call("LGBM_DatasetGetNumData", handle, out);
    this.numRows = heap().i32[out >>> 2];
    call("LGBM_DatasetGetNumFeature", handle, out);
    this.numFeatures = heap().i32[out >>> 2];
    this.featureNames = readStrings("LGBM_DatasetGetFeatureNames", handle, this.numFeatures);
  }

  /**
   * Builds a Dataset from a column-major matrix (or a selection of its rows): the bins
   * come from LightGBM's seeded row sample, then rows are pushed in batches. With
   * `reference`, the Dataset shares the reference's bins (a validation set).
   */
  static fromMatrix(source: DatasetSource, options: DatasetOptions = {}): Dataset {
    const rows = options.rows ?? null;
    const n = checkSource(source, rows);
    const params = parseParams({ ...options.params });
    if (source.categorical.length > 0 && params.categorical_feature === undefined) {
      params.categorical_feature = source.categorical.map((c) => c.index).sort((a, b) => a - b);
    }
    const paramText = paramsToString(params);
    const label = gather(source.label, rows, n, "Label");
    // A set built by reference inherits its reference's weight field, zero-filled: an
    // unweighted one gets explicit weights of 1, else every row would weigh nothing.
    const weight = options.useWeight === false || !source.weight
      ? (options.reference ? new Float32Array(n).fill(1) : null)
      : gather(source.weight, rows, n, "Weight");
    const groups = source.group ? groupSizes(source.group, rows, n) : null;

    const handle = options.reference
      ? createByReference(options.reference, n)
      : createFromSample(source, rows, n, paramText);
    try {
      pushRows(handle, source, rows, n, options.chunkRows);
      setFeatureNames(handle, source.featureNames);
      setField(handle, "label", label);
      if (weight) setField(handle, "weight", weight);
      if (groups) setField(handle, "group", groups);
      return new Dataset(handle, params);
    } catch (error) {
      call("LGBM_DatasetFree", handle);
      throw error;
    }
  }

  /**
   * A Dataset of some of this one's rows sharing its bins (LGBM_DatasetGetSubset), as
   * LightGBM's Python `Dataset.subset` does for cross-validation folds.
   */
  subset(rows: RowIndices, params: LightGBMParams = this.params): Dataset {
    const selection = Int32Array.from(rows as ArrayLike<number>);
    for (const row of selection) {
      if (row < 0 || row >= this.numRows) {
        throw datasetError(`Row index ${row} is outside 0..${this.numRows - 1}`);
      }
    }
    const parsed = parseParams({ ...params });
    using scope = new HeapScope();
    const out = scope.alloc(4);
    call(
      "LGBM_DatasetGetSubset",
      this.handle,
      scope.copy(selection),
      selection.length,
      scope.string(paramsToString(parsed)),
      out,
    );
    return new Dataset(heap().u32[out >>> 2], parsed);
  }

  /** A float field (`label`, `weight`, `init_score`) or `group` boundaries, copied out. */
  getField(
    name: "label" | "weight" | "init_score" | "group",
  ): Float32Array | Float64Array | Int32Array | null {
    using scope = new HeapScope();
    const outLength = scope.alloc(4);
    const outPointer = scope.alloc(4);
    const outType = scope.alloc(4);
    call("LGBM_DatasetGetField", this.handle, scope.string(name), outLength, outPointer, outType);
    const h = heap();
    const length = h.i32[outLength >>> 2];
    const pointer = h.u32[outPointer >>> 2];
    if (length === 0 || pointer === 0) return null;
    switch (h.i32[outType >>> 2]) {
      case DTYPE.float32:
        return h.f32.slice(pointer >>> 2, (pointer >>> 2) + length);
      case DTYPE.float64:
        return h.f64.slice(pointer >>> 3, (pointer >>> 3) + length);
      default:
        return h.i32.slice(pointer >>> 2, (pointer >>> 2) + length);
    }
  }

  /** The C handle; throws once freed. */
  get handle(): number {
    if (this.#handle === 0) throw new RiskTrainError("LIGHTGBM", "Dataset has been freed");
    return this.#handle;
  }

  /** Whether {@linkcode free} has run. */
  get freed(): boolean {
    return this.#handle === 0;
  }

  /** Frees the heap memory. Idempotent. */
  free(): void {
    if (this.#handle === 0) return;
    const handle = this.#handle;
    this.#handle = 0;
    call("LGBM_DatasetFree", handle);
  }

  /** Same as {@linkcode free}. */
  [Symbol.dispose](): void {
    this.free();
  }
}

function createByReference(reference: Dataset, n: number): number {
  using scope = new HeapScope();
  const out = scope.alloc(4);
  call("LGBM_DatasetCreateByReference", reference.handle, BigInt(n), out);
  return heap().u32[out >>> 2];
}

/** Bins from the same seeded row sample LGBM_DatasetCreateFromMat draws. */
function createFromSample(
  source: DatasetSource,
  rows: RowIndices | null,
  n: number,
  paramText: string,
): number {
  const { numFeatures, data, numRows } = source;
  using scope = new HeapScope();
  const params = scope.string(paramText);
  const out = scope.alloc(4);
  call("LGBM_GetSampleCount", n, params, out);
  const sampleCount = heap().i32[out >>> 2];
  const sampleIndices = scope.alloc(sampleCount * 4);
  call("LGBM_SampleIndices", n, params, sampleIndices, out);
  const sample = heap().i32.slice(sampleIndices >>> 2, (sampleIndices >>> 2) + sampleCount);
  const sourceRows = rows ? sample.map((i) => rows[i]) : sample;

  const valuePointers = new Uint32Array(numFeatures);
  const indexPointers = new Uint32Array(numFeatures);
  const counts = new Int32Array(numFeatures);
  const values = new Float64Array(sampleCount);
  const indices = new Int32Array(sampleCount);
  for (let j = 0; j < numFeatures; j++) {
    const base = j * numRows;
    let count = 0;
    for (let i = 0; i < sampleCount; i++) {
      const v = data[base + sourceRows[i]];
      if (Math.abs(v) > ZERO_THRESHOLD || Number.isNaN(v)) {
        values[count] = v;
        indices[count] = i;
        count++;
      }
    }
    counts[j] = count;
    valuePointers[j] = scope.copy(values.subarray(0, count));
    indexPointers[j] = scope.copy(indices.subarray(0, count));
  }
  call(
    "LGBM_DatasetCreateFromSampledColumn",
    scope.copy(valuePointers),
    scope.copy(indexPointers),
    numFeatures,
    scope.copy(counts),
    sampleCount,
    n,
    BigInt(n),
    params,
    out,
  );
  return heap().u32[out >>> 2];
}

/** Pushes the rows in row-major batches through one reused heap buffer. */
function pushRows(
  handle: number,
  source: DatasetSource,
  rows: RowIndices | null,
  n: number,
  chunkRows?: number,
): void {
  const { batch, bytes, dtype } = batchLayout(source, n, chunkRows);
  using scope = new HeapScope();
  const buffer = scope.alloc(batch * source.numFeatures * bytes);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    writeRowBatch(buffer, source, rows, start, count);
    call("LGBM_DatasetPushRows", handle, buffer, dtype, count, source.numFeatures, start);
  }
}

function setFeatureNames(handle: number, names: readonly string[]): void {
  using scope = new HeapScope();
  call("LGBM_DatasetSetFeatureNames", handle, scope.strings(names), names.length);
}

function setField(handle: number, name: string, values: Float32Array | Int32Array): void {
  using scope = new HeapScope();
  call(
    "LGBM_DatasetSetField",
    handle,
    scope.string(name),
    scope.copy(values),
    values.length,
    values instanceof Float32Array ? DTYPE.float32 : DTYPE.int32,
  );
}
