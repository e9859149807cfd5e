/**
 * What the `features` command prints and writes: a summary of a feature matrix (shape,
 * labels, groups, features that came out all-missing or constant) and the matrix as Arrow
 * IPC file bytes for inspection in other tools. Pure functions: the caller writes files.
 *
 * @module
 */
import {
  DateDay,
  Float32,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "npm:apache-arrow@21.2.0";
import type { FeatureMatrix, ModelType } from "../types.ts";

/** A summary of a feature matrix. */
export interface MatrixSummary {
  /** The model type. */
  modelType: ModelType;
  /** Rows (alerts or clusters). */
  numRows: number;
  /** Features (columns). */
  numFeatures: number;
  /** Rows with a label (training rows). */
  labelledRows: number;
  /** Share of labelled rows that are positive (ranker: grade high or critical). */
  positiveRate: number;
  /** Labelled rows per ranker grade 0..3; null for the binary models. */
  gradeCounts: number[] | null;
  /** Query groups (ranker); null for the binary models. */
  groups: number | null;
  /** Features with no value at all (every row NaN). */
  allMissing: string[];
  /** Features with one single value in every row that has one. */
  constant: string[];
  /** Categorical features and the size of their dictionaries. */
  categorical: { name: string; categories: number }[];
}

/**
 * Summarises `matrix`.
 *
 * @example
 * ```ts ignore
 * import { summarizeMatrix } from "./summary.ts";
 * const summary = summarizeMatrix(matrix);
 * console.log(summary.numRows, summary.positiveRate, summary.allMissing);
 * ```
 */
export function summarizeMatrix(matrix: FeatureMatrix): MatrixSummary {
  const { numRows, numFeatures, data, label, modelType } = matrix;
  let labelledRows = 0;
  let positives = 0;
  const gradeCounts = modelType === "alert_ranker" ? [0, 0, 0, 0] : null;
  for (let i = 0; i < numRows; i++) {
    const y = label[i];
    if (y !== y) continue;
    labelledRows++;
    if (gradeCounts) {
      gradeCounts[y]++;
      if (y >= 2) positives++;
    } else if (y === 1) positives++;
  }
  const allMissing: string[] = [];
  const constant: string[] = [];
  for (let j = 0; j < numFeatures; j++) {
    const column = data.subarray(j * numRows, (j + 1) * numRows);
    let first = NaN;
    let varies = false;
    for (let i = 0; i < numRows && !varies; i++) {
      const x = column[i];
      if (x !== x) continue;
      if (first !== first) first = x;
      else if (x !== first) varies = true;
    }
    if (first !== first) allMissing.push(matrix.featureNames[j]);
    else if (!varies) constant.push(matrix.featureNames[j]);
  }
  let groups: number | null = null;
  if (matrix.group !== null) groups = numRows === 0 ? 0 : matrix.group[numRows - 1] + 1;
  return {
    modelType,
    numRows,
    numFeatures,
    labelledRows,
    positiveRate: labelledRows === 0 ? NaN : positives / labelledRows,
    gradeCounts,
    groups,
    allMissing,
    constant,
    categorical: matrix.categorical.map((c) => ({
      name: c.name,
      categories: c.categories.length,
    })),
  };
}

/**
 * The matrix as Arrow IPC file bytes: columns `id`, `processing_date`, `label`, `weight`
 * (when present), `group` (ranker), then one column per feature (Float32 or Float64, the
 * matrix's own memory, not copied). Schema metadata `risktrain.model_type`,
 * `risktrain.categorical` (JSON dictionaries) and `risktrain.provenance` (JSON).
 *
 * @example
 * ```ts ignore
 * import { writeMatrixArrow } from "./summary.ts";
 * const bytes = writeMatrixArrow(matrix); // the caller writes them to FILE.arrow
 * ```
 */
export function writeMatrixArrow(matrix: FeatureMatrix): Uint8Array {
  const { numRows } = matrix;
  const columns: Record<string, ReturnType<typeof makeVector>> = {
    id: vectorFromArray(matrix.ids as string[], new Utf8()),
    processing_date: makeVector(
      makeData({ type: new DateDay(), length: numRows, data: matrix.processingDates }),
    ),
    label: makeVector(makeData({ type: new Float32(), length: numRows, data: matrix.label })),
  };
  if (matrix.weight !== null) {
    columns.weight = makeVector(
      makeData({ type: new Float32(), length: numRows, data: matrix.weight }),
    );
  }
  if (matrix.group !== null) {
    columns.group = makeVector(
      makeData({ type: new Int32(), length: numRows, data: matrix.group }),
    );
  }
  matrix.featureNames.forEach((name, j) => {
    const values = matrix.data.subarray(j * numRows, (j + 1) * numRows);
    columns[name] = values instanceof Float64Array
      ? makeVector(makeData({ type: new Float64(), length: numRows, data: values }))
      : makeVector(makeData({ type: new Float32(), length: numRows, data: values }));
  });
  const table = new Table(columns);
  table.schema.metadata.set("risktrain.model_type", matrix.modelType);
  table.schema.metadata.set("risktrain.categorical", JSON.stringify(matrix.categorical));
  table.schema.metadata.set("risktrain.provenance", JSON.stringify(matrix.provenance));
  return tableToIPC(table, "file");
}
