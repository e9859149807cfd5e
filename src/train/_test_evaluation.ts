/**
 * The test evaluation of a trained model: its baseline, the seen/unseen-address mask, the
 * previous model's scores when there is one, all through `evaluateScores`.
 *
 * @module
 */
import { evaluateScores, type ScoreEvaluation } from "../metrics/evaluate_scores.ts";
import type { Calibration, FeatureMatrix } from "../types.ts";
import { baselineScores } from "./_baseline.ts";
import { previousPredictions } from "./_previous_model.ts";
import type { PreviousModel } from "./train_options.ts";

/** The metrics compared with the previous model, and the lift naming their difference. */
const COMPARED = {
  binary: [
    ["test_auc", "lift_auc"],
    ["test_pr_auc", "lift_pr_auc"],
    ["test_precision_at_budget", "lift_precision_at_budget"],
  ],
  ranking: [["test_ndcg@10", "lift_ndcg@10"]],
} as const;

/** A model's test evaluation and how its parts were defined. */
export interface TestEvaluation {
  /** evaluateScores' result on the test rows. */
  result: ScoreEvaluation;
  /** What the baseline scores by, or null when there is none. */
  baseline: string | null;
  /** How "seen" is defined, or null without addresses. */
  seenDefinition: string | null;
  /** Old against new on the new test window, when a previous model was given. */
  comparison: Record<string, unknown> | null;
}

/** Options of {@linkcode evaluateTest}. */
export interface EvaluateTestOptions {
  /** Out-of-fold F1 threshold (scorers). */
  threshold: number | null;
  /** The calibration fitted on out-of-fold predictions, if any. */
  calibration: Calibration | null;
  /** Alerts worked per day. */
  alertBudget: number;
  /** Seed of the bootstrap. */
  seed: number;
  /** The previous model to compare, if any. */
  previous?: PreviousModel;
}

/**
 * Evaluates `predictions` of the test rows `[nTrain, numRows)` of `labelled` (training rows
 * first): every metric with its date bootstrap, the baseline's lift, the split by whether
 * the row's address appears in the training rows, and the previous model side by side.
 */
export async function evaluateTest(
  labelled: FeatureMatrix,
  nTrain: number,
  predictions: Float64Array,
  options: EvaluateTestOptions,
): Promise<TestEvaluation> {
  const n = labelled.numRows;
  const kind = labelled.modelType === "alert_ranker" ? "ranking" : "binary";
  let seen: Uint8Array | null = null;
  if (labelled.addresses) {
    const training = new Set(labelled.addresses.slice(0, nTrain));
    seen = Uint8Array.from(
      labelled.addresses.slice(nTrain),
      (address) => (address !== "" && training.has(address) ? 1 : 0),
    );
  }
  const baseline = baselineScores(labelled, nTrain, n);
  const input = {
    kind,
    labels: labelled.label.subarray(nTrain),
    dates: labelled.processingDates.subarray(nTrain),
    groups: labelled.group ? labelled.group.subarray(nTrain) : null,
    seen,
  } as const;
  const evaluateOptions = {
    threshold: options.threshold,
    alertBudget: options.alertBudget,
    seed: options.seed,
  };
  const result = evaluateScores(
    { ...input, scores: predictions, baseline: baseline?.scores ?? null },
    { ...evaluateOptions, calibration: options.calibration },
  );
  let comparison: Record<string, unknown> | null = null;
  if (options.previous) {
    const old = await previousPredictions(options.previous, labelled, nTrain, n);
    if ("reason" in old) {
      comparison = {
        previous_model_id: options.previous.modelId,
        compared: false,
        reason: old.reason,
      };
    } else {
      const paired = evaluateScores(
        { ...input, scores: predictions, baseline: old.scores },
        evaluateOptions,
      );
      const alone = evaluateScores(
        { ...input, scores: old.scores },
        { ...evaluateOptions, bootstrapSamples: 1 },
      );
      comparison = {
        previous_model_id: options.previous.modelId,
        compared: true,
        on: "the new model's test rows",
        metrics: COMPARED[kind].map(([metric, lift]) => ({
          metric,
          old: alone.metrics[metric],
          new: result.metrics[metric],
          difference: paired.metrics[lift],
          interval: paired.intervals[lift],
        })),
      };
    }
  }
  return {
    result,
    baseline: baseline?.name ?? null,
    seenDefinition: seen
      ? "the row's address appears in the training part (any date before the test start)"
      : null,
    comparison,
  };
}
