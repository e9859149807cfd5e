import assert from "node:assert/strict";
import { train } from "../src/train/train.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

Deno.test("train() scores the previous model on the new test rows and records old, new and the difference", async () => {
  const matrix = syntheticMatrix({ days: 16, rowsPerDay: 60, seed: 14 });
  const options = { trials: 0, folds: 2, numBoostRound: 40, earlyStoppingRounds: 10 };
  const old = await train(matrix, { ...options, seed: 1 });
  const previous = {
    modelId: "torus_alert_scorer_v1",
    modelText: old.modelText,
    featureNames: old.featureNames,
    categorical: old.categorical,
  };
  // The new matrix codes the categorical feature in another order: the old model's codes
  // are recovered through its own dictionary, by category.
  const { index, categories } = matrix.categorical[0];
  const permutation = [2, 0, 1];
  const data = matrix.data.slice();
  const column = data.subarray(index * matrix.numRows, (index + 1) * matrix.numRows);
  for (let i = 0; i < column.length; i++) {
    if (!Number.isNaN(column[i])) column[i] = permutation[column[i]];
  }
  const recoded = {
    ...matrix,
    data,
    categorical: [{
      index,
      name: "typology",
      categories: permutation.map((_, code) => categories[permutation.indexOf(code)]),
    }],
  };
  const model = await train(recoded, { ...options, seed: 2, previous });
  // deno-lint-ignore no-explicit-any
  const comparison = (model.details as Record<string, any>).comparison;
  assert.equal(comparison.previous_model_id, "torus_alert_scorer_v1");
  assert.equal(comparison.compared, true);
  const auc = comparison.metrics.find((m: { metric: string }) => m.metric === "test_auc");
  // Same test rows: the old model's figure is its own test AUC.
  assert.equal(auc.old, old.metrics.test_auc);
  assert.equal(auc.new, model.metrics.test_auc);
  assert.ok(Math.abs(auc.difference - (auc.new - auc.old)) < 1e-12);
  assert.ok(auc.interval.low <= auc.difference && auc.difference <= auc.interval.high);

  const lacking = await train(recoded, {
    ...options,
    seed: 2,
    previous: { ...previous, featureNames: [...previous.featureNames, "gone"] },
  });
  // deno-lint-ignore no-explicit-any
  const refused = (lacking.details as Record<string, any>).comparison;
  assert.equal(refused.compared, false);
  assert.match(refused.reason, /lacks its features gone/);
});
