/**
 * Scoring the previous model of the same network, type and window on the new test rows:
 * its features gathered by name, its categorical codes re-encoded through its own
 * dictionaries.
 *
 * @module
 */
import { Booster, initLightGBM } from "../lightgbm/mod.ts";
import type { FeatureMatrix } from "../types.ts";
import type { PreviousModel } from "./train_options.ts";

/**
 * The previous model's predictions for rows `[from, to)` of `matrix`, or the reason it
 * cannot score them (a feature it needs is not in the matrix).
 */
export async function previousPredictions(
  previous: PreviousModel,
  matrix: FeatureMatrix,
  from: number,
  to: number,
): Promise<{ scores: Float64Array } | { reason: string }> {
  const missing = previous.featureNames.filter((name) => !matrix.featureNames.includes(name));
  if (missing.length > 0) {
    return { reason: `the new matrix lacks its features ${missing.join(", ")}` };
  }
  const n = to - from, f = previous.featureNames.length;
  const data = new Float64Array(n * f);
  const newCategorical = new Map(matrix.categorical.map((c) => [c.name, c.categories]));
  previous.featureNames.forEach((name, j) => {
    const source = matrix.featureNames.indexOf(name);
    const column = matrix.data.subarray(
      source * matrix.numRows + from,
      source * matrix.numRows + to,
    );
    const target = data.subarray(j * n, (j + 1) * n);
    const old = previous.categorical.find((c) => c.name === name);
    const current = newCategorical.get(name);
    if (old && current) {
      const codeOf = new Map(old.categories.map((category, code) => [category, code]));
      for (let r = 0; r < n; r++) {
        const category = Number.isNaN(column[r]) ? undefined : current[column[r]];
        target[r] = category === undefined ? NaN : codeOf.get(category) ?? NaN;
      }
    } else {
      target.set(column);
    }
  });
  await initLightGBM();
  using booster = Booster.fromModelString(previous.modelText);
  return { scores: booster.predict({ numRows: n, numFeatures: f, data }) };
}
