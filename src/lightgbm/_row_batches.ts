/**
 * Row-major batches of a column-major matrix in the WebAssembly heap: the C API takes
 * rows, risktrain keeps columns, and a matrix is never copied into the heap whole.
 *
 * @module
 */
import { DTYPE, heap } from "./_wasm.ts";

/** The matrix a batch is cut from. */
export interface ColumnMajor {
  /** Rows of the full matrix. */
  numRows: number;
  /** Columns. */
  numFeatures: number;
  /** Column-major values. */
  data: Float32Array | Float64Array;
}

/** The row count of one batch (about 16 MiB, or `chunkRows`) and the batch buffer's dtype. */
export function batchLayout(
  source: ColumnMajor,
  n: number,
  chunkRows?: number,
): { batch: number; bytes: number; dtype: number } {
  const isFloat32 = source.data instanceof Float32Array;
  const bytes = isFloat32 ? 4 : 8;
  const batch = Math.max(
    1,
    Math.min(n, chunkRows ?? Math.floor((16 << 20) / (source.numFeatures * bytes))),
  );
  return { batch, bytes, dtype: isFloat32 ? DTYPE.float32 : DTYPE.float64 };
}

/**
 * Writes `count` rows, starting at position `first` of `rows` (or of the matrix when
 * `rows` is null), row-major into the heap buffer at `pointer`.
 */
export function writeRowBatch(
  pointer: number,
  source: ColumnMajor,
  rows: ArrayLike<number> | null,
  first: number,
  count: number,
): void {
  const { numRows, numFeatures, data } = source;
  const h = heap();
  const out = data instanceof Float32Array
    ? h.f32.subarray(pointer >>> 2, (pointer >>> 2) + count * numFeatures)
    : h.f64.subarray(pointer >>> 3, (pointer >>> 3) + count * numFeatures);
  for (let j = 0; j < numFeatures; j++) {
    const base = j * numRows;
    if (rows) {
      for (let r = 0; r < count; r++) out[r * numFeatures + j] = data[base + rows[first + r]];
    } else {
      for (let r = 0; r < count; r++) out[r * numFeatures + j] = data[base + first + r];
    }
  }
}
