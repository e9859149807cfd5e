/**
 * Row subsets of a FeatureMatrix, copied column by column (the matrix is column-major).
 *
 * @module
 */
import type { FeatureMatrix } from "../types.ts";

/** The rows `rows` (ascending matrix indices) of `matrix` as a new matrix, in that order. */
export function subsetMatrix(matrix: FeatureMatrix, rows: Uint32Array): FeatureMatrix {
  const n = rows.length, from = matrix.numRows;
  const data = matrix.data instanceof Float64Array
    ? new Float64Array(n * matrix.numFeatures)
    : new Float32Array(n * matrix.numFeatures);
  for (let j = 0; j < matrix.numFeatures; j++) {
    const source = matrix.data.subarray(j * from, (j + 1) * from);
    const target = data.subarray(j * n, (j + 1) * n);
    for (let r = 0; r < n; r++) target[r] = source[rows[r]];
  }
  const pick = <T extends Float32Array | Int32Array>(values: T): T => {
    const out = new (values.constructor as new (length: number) => T)(n);
    for (let r = 0; r < n; r++) out[r] = values[rows[r]];
    return out;
  };
  return {
    ...matrix,
    numRows: n,
    data,
    label: pick(matrix.label),
    weight: matrix.weight ? pick(matrix.weight) : null,
    group: matrix.group ? pick(matrix.group) : null,
    ids: Array.from(rows, (r) => matrix.ids[r]),
    addresses: matrix.addresses && Array.from(rows, (r) => matrix.addresses![r]),
    processingDates: pick(matrix.processingDates),
  };
}
