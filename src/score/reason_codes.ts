/**
 * Reason codes: the top SHAP contributions of each row (LightGBM's own TreeSHAP,
 * `predict_contrib`) as the `explain_json` of the output tables.
 *
 * @module
 */
import type { FeatureMatrix } from "../types.ts";
import { describeFeature } from "../contract/feature_descriptions.ts";

/** One reason: a feature, its value for the row, its contribution to the raw score. */
export interface Reason {
  /** Feature name. */
  feature: string;
  /** The row's value (the category for a categorical feature); null when missing. */
  value: number | string | null;
  /** SHAP contribution to the raw score (log-odds for binary models). */
  impact: number;
  /** The catalogue's one-line description. */
  description: string;
}

/** The `explain_json` of one row. */
export interface Explanation {
  /** The row's score as written to the output table. */
  score: number;
  /** The model's expected raw score (the SHAP base value). */
  base_value: number;
  /** The `topK` features with the largest absolute contribution, largest first. */
  top_features: Reason[];
}

/**
 * Builds each row's explanation from `contrib` (`numFeatures + 1` values per row, row-major:
 * one SHAP value per feature, then the base value, as `Booster.predict(type: "contrib")`
 * returns them). Ties in absolute impact keep column order.
 *
 * @example
 * ```ts ignore
 * const contrib = booster.predict(matrix, { type: "contrib" });
 * const json = explainRows(matrix, contrib, scores, 5).map((e) => JSON.stringify(e));
 * ```
 */
export function explainRows(
  matrix: Pick<FeatureMatrix, "numRows" | "numFeatures" | "data" | "featureNames" | "categorical">,
  contrib: Float64Array,
  scores: Float64Array,
  topK: number,
): Explanation[] {
  const { numRows, numFeatures, data, featureNames } = matrix;
  const width = numFeatures + 1;
  if (contrib.length !== numRows * width) {
    throw new RangeError(
      `Contributions hold ${contrib.length} values, expected: ${numRows * width}`,
    );
  }
  const categories = new Map(matrix.categorical.map((c) => [c.index, c.categories]));
  const descriptions = featureNames.map(describeFeature);
  const k = Math.min(topK, numFeatures);
  const topIndex = new Int32Array(k);
  const topAbs = new Float64Array(k);
  const out: Explanation[] = new Array(numRows);
  for (let r = 0; r < numRows; r++) {
    const base = r * width;
    let filled = 0;
    for (let j = 0; j < numFeatures; j++) {
      const a = Math.abs(contrib[base + j]);
      if (filled === k && !(a > topAbs[k - 1])) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && a > topAbs[p - 1]) {
        topAbs[p] = topAbs[p - 1];
        topIndex[p] = topIndex[p - 1];
        p--;
      }
      topAbs[p] = a;
      topIndex[p] = j;
    }
    const top: Reason[] = [];
    for (let t = 0; t < k; t++) {
      const j = topIndex[t];
      const x = data[j * numRows + r];
      const dictionary = categories.get(j);
      const value = Number.isNaN(x) ? null : dictionary ? dictionary[x] ?? null : x;
      top.push({
        feature: featureNames[j],
        value,
        impact: contrib[base + j],
        description: descriptions[j],
      });
    }
    out[r] = { score: scores[r], base_value: contrib[base + numFeatures], top_features: top };
  }
  return out;
}
