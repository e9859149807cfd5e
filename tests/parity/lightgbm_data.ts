/**
 * Seeded synthetic matrices for the LightGBM tests: numeric features with missing
 * values, one categorical feature, a binary label, a graded relevance label for ranking
 * with contiguous query groups, and a continuous target for regression.
 */
import type { DatasetSource } from "../../src/lightgbm/mod.ts";
import { mulberry32 } from "../../src/lightgbm/_mulberry32.ts";

/** Which label the synthetic matrix carries. */
export type SyntheticTask = "binary" | "lambdarank" | "regression";

/** A seeded synthetic matrix; feature 3 is categorical (codes 0..4), 5% missing values. */
export function syntheticSource(
  numRows: number,
  numFeatures: number,
  task: SyntheticTask,
  seed = 7,
  dtype: "float32" | "float64" = "float64",
): DatasetSource {
  const next = mulberry32(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const data = dtype === "float32"
    ? new Float32Array(numRows * numFeatures)
    : new Float64Array(numRows * numFeatures);
  for (let j = 0; j < numFeatures; j++) {
    for (let i = 0; i < numRows; i++) {
      let v = j === 3 ? Math.floor(next() * 5) : gaussian();
      if (j !== 3 && next() < 0.05) v = NaN;
      data[j * numRows + i] = v;
    }
  }
  const label = new Float32Array(numRows);
  const group = task === "lambdarank" ? new Int32Array(numRows) : null;
  for (let i = 0; i < numRows; i++) {
    const x = (j: number) => {
      const v = data[j * numRows + i];
      return Number.isNaN(v) ? 0 : v;
    };
    const score = 1.5 * x(0) - x(1) + 0.5 * x(2) * x(0) + (x(3) === 2 ? 1 : 0) +
      0.5 * gaussian();
    if (task === "binary") label[i] = score > 0.8 ? 1 : 0;
    else if (task === "regression") label[i] = Math.fround(score);
    else label[i] = Math.max(0, Math.min(4, Math.floor(score + 2)));
    if (group) group[i] = Math.floor(i / 20);
  }
  return {
    numRows,
    numFeatures,
    data,
    label,
    weight: null,
    group,
    featureNames: Array.from({ length: numFeatures }, (_, j) => `f${j}`),
    categorical: [{ index: 3 }],
  };
}
