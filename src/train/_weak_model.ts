/**
 * The floor a model must clear to be saved: more than one tree, a test set that can
 * measure it, and better than its baseline.
 *
 * @module
 */
import type { ModelType } from "../types.ts";
import type { TestEvaluation } from "./_test_evaluation.ts";

const f4 = (x: number) => x.toFixed(4);

/**
 * Why the model is weak, one phrase per reason naming its figures; empty when it is not:
 * one tree or fewer; a scorer's test set without both classes; a ranker's test set with no
 * relevant row; a test AUC (ranker: NDCG@10) no better than the baseline's.
 */
export function weakReasons(
  modelType: ModelType,
  numTrees: number,
  evaluation: TestEvaluation,
): string[] {
  const reasons: string[] = [];
  const { metrics, perDate } = evaluation.result;
  if (numTrees <= 1) reasons.push(`the model has ${numTrees} tree${numTrees === 1 ? "" : "s"}`);
  const rows = perDate.reduce((a, d) => a + d.rows, 0);
  const positives = perDate.reduce((a, d) => a + d.positives, 0);
  if (modelType === "alert_ranker") {
    if (positives === 0) {
      reasons.push(`the test set has no relevant row (grade >= 2) among ${rows}`);
    }
    const model = metrics["test_ndcg@10"], base = metrics["baseline_ndcg@10"];
    if (positives > 0 && !(model > base)) {
      reasons.push(
        `test NDCG@10 ${f4(model)} is no better than the baseline's (${evaluation.baseline}) ${
          f4(base)
        }`,
      );
    }
  } else {
    if (positives === 0 || positives === rows) {
      reasons.push(
        `the test set has ${positives} positive of ${rows} rows (it needs both classes)`,
      );
    } else if (evaluation.baseline !== null && !(metrics.test_auc > metrics.baseline_auc)) {
      reasons.push(
        `test AUC ${
          f4(metrics.test_auc)
        } is no better than the baseline's (${evaluation.baseline}) ${f4(metrics.baseline_auc)}`,
      );
    }
  }
  return reasons;
}

/** The figures a NO_SIGNAL message names: trees, test rows and positives, model and baseline. */
export function weakFigures(
  modelType: ModelType,
  numTrees: number,
  evaluation: TestEvaluation,
): string {
  const { metrics, perDate } = evaluation.result;
  const rows = perDate.reduce((a, d) => a + d.rows, 0);
  const positives = perDate.reduce((a, d) => a + d.positives, 0);
  const [name, model, base] = modelType === "alert_ranker"
    ? ["NDCG@10", metrics["test_ndcg@10"], metrics["baseline_ndcg@10"]]
    : ["AUC", metrics.test_auc, metrics.baseline_auc];
  return `${numTrees} tree${numTrees === 1 ? "" : "s"}, ${rows} test rows (${positives} ${
    modelType === "alert_ranker" ? "relevant" : "positive"
  }), test ${name} ${f4(model)}, baseline ${name} ${base === undefined ? "none" : f4(base)}`;
}
