/**
 * The evaluation data a trained model carries for its report: test and out-of-fold
 * predictions, the cross-validation curve of the chosen configuration, features missing or
 * constant, and SHAP values of a seeded sample of test rows.
 *
 * @module
 */
import { Booster, ensureLightGBM } from "../lightgbm/mod.ts";
import type { EvaluationData, FeatureMatrix } from "../types.ts";
import { createRandom } from "../random.ts";

/** Test rows whose SHAP values the report plots (a seeded sample when there are more). */
export const SHAP_SAMPLE_ROWS = 1000;

/** Features whose per-row SHAP values are kept for the beeswarm. */
export const SHAP_TOP_FEATURES = 20;

/** What {@linkcode evaluationData} needs from a training. */
export interface EvaluationInputs {
  /** The labelled rows, training part first. */
  labelled: FeatureMatrix;
  /** Rows of the training part (the first `nTrain` rows of `labelled`). */
  nTrain: number;
  /** The final model's predictions of the test rows. */
  testScores: Float64Array;
  /** Out-of-fold predictions of the training rows (scorers), or null. */
  outOfFold: Float64Array | null;
  /** The chosen configuration's fold curves (`curves[f][i]`: fold f after iteration i + 1). */
  foldCurves: readonly Float64Array[];
  /** The cross-validated metric's name. */
  metric: string;
  /** The final model. */
  modelText: string;
  /** The training seed (the SHAP sample draws from its own generator). */
  seed: number;
}

function curveSummary(curves: readonly Float64Array[]): { mean: Float64Array; std: Float64Array } {
  const length = Math.min(...curves.map((c) => c.length));
  const mean = new Float64Array(length), std = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const c of curves) sum += c[i];
    mean[i] = sum / curves.length;
    let squares = 0;
    for (const c of curves) squares += (c[i] - mean[i]) ** 2;
    std[i] = Math.sqrt(squares / curves.length);
  }
  return { mean, std };
}

function featureChecks(matrix: FeatureMatrix): EvaluationData["featureChecks"] {
  const allMissing: string[] = [], constant: string[] = [];
  const n = matrix.numRows;
  for (let j = 0; j < matrix.numFeatures; j++) {
    const column = matrix.data.subarray(j * n, (j + 1) * n);
    let first = NaN, varies = false;
    for (const v of column) {
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(first)) first = v;
      else if (v !== first) {
        varies = true;
        break;
      }
    }
    if (Number.isNaN(first)) allMissing.push(matrix.featureNames[j]);
    else if (!varies) constant.push(matrix.featureNames[j]);
  }
  return { allMissing, constant };
}

/** Ascending test-row indices (into `labelled`) of a seeded sample of at most `size` rows. */
function sampleTestRows(nTrain: number, nTest: number, size: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: nTest }, (_, i) => nTrain + i);
  if (nTest <= size) return all;
  // A generator of its own (seed + 1), so that the training's draws stay as they were.
  return createRandom((seed + 1) >>> 0).shuffle(all).subarray(0, size).sort();
}

function shapSample(inputs: EvaluationInputs): EvaluationData["shap"] {
  const { labelled, nTrain, modelText, seed } = inputs;
  const nTest = labelled.numRows - nTrain;
  if (nTest === 0) return null;
  const rows = sampleTestRows(nTrain, nTest, SHAP_SAMPLE_ROWS, seed);
  const f = labelled.numFeatures, perRow = f + 1, n = rows.length;
  using booster = Booster.fromModelString(modelText);
  const contrib = booster.predict(labelled, { type: "contrib", rows });
  const meanAbs = new Float64Array(f);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < f; j++) meanAbs[j] += Math.abs(contrib[r * perRow + j]);
  }
  for (let j = 0; j < f; j++) meanAbs[j] /= n;
  const top = Array.from({ length: f }, (_, j) => j)
    .sort((a, b) => meanAbs[b] - meanAbs[a] || a - b)
    .slice(0, Math.min(SHAP_TOP_FEATURES, f));
  const k = top.length;
  const values = new Float32Array(n * k), featureValues = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < k; t++) {
      values[r * k + t] = contrib[r * perRow + top[t]];
      featureValues[r * k + t] = labelled.data[top[t] * labelled.numRows + rows[r]];
    }
  }
  return {
    rows: n,
    meanAbs,
    features: top.map((j) => labelled.featureNames[j]),
    values,
    featureValues,
  };
}

/**
 * Collects what the report plots from a finished training. SHAP values come from the
 * final model (LightGBM `contrib`) on at most {@linkcode SHAP_SAMPLE_ROWS} test rows,
 * sampled with a generator seeded from `seed`.
 */
export async function evaluationData(inputs: EvaluationInputs): Promise<EvaluationData> {
  const { labelled, nTrain, testScores, outOfFold } = inputs;
  await ensureLightGBM();
  return {
    test: {
      score: Float32Array.from(testScores),
      label: labelled.label.slice(nTrain),
      date: labelled.processingDates.slice(nTrain),
      group: labelled.group ? labelled.group.slice(nTrain) : null,
    },
    train: {
      label: labelled.label.slice(0, nTrain),
      date: labelled.processingDates.slice(0, nTrain),
      outOfFold: outOfFold ? Float32Array.from(outOfFold) : null,
    },
    cvCurve: { metric: inputs.metric, ...curveSummary(inputs.foldCurves) },
    featureChecks: featureChecks(labelled),
    shap: shapSample(inputs),
  };
}
