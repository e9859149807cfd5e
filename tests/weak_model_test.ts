import assert from "node:assert/strict";
import { RiskTrainError } from "../src/errors.ts";
import { load } from "../src/storage/registry.ts";
import { trainedModelsRow } from "../src/storage/registry_row.ts";
import { save } from "../src/notebook.ts";
import { train } from "../src/train/train.ts";
import type { FeatureMatrix } from "../src/types.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

const OPTIONS = { trials: 0, folds: 2, numBoostRound: 40, earlyStoppingRounds: 10 };

const noSignal = (pattern: RegExp) => (e: unknown) =>
  e instanceof RiskTrainError && e.code === "NO_SIGNAL" && pattern.test(e.message) &&
  !e.message.includes("\n");

Deno.test("train() refuses an all-low ranker with NO_SIGNAL naming the figures", async () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 12, rowsPerDay: 40, seed: 3 });
  const label = matrix.label.map((y) => (Number.isNaN(y) ? y : 0));
  await assert.rejects(
    train({ ...matrix, label }, OPTIONS),
    noSignal(/no relevant row \(grade >= 2\) among \d+/),
  );
});

Deno.test("train() refuses a scorer whose test days hold one class, and saves it weak with allowWeak", async () => {
  const matrix = syntheticMatrix({ days: 12, rowsPerDay: 60, seed: 4 });
  // The latest days (the test set) hold no positive.
  const firstTestDay = matrix.processingDates[matrix.numRows - 1] - 2;
  const label = matrix.label.map((y, i) =>
    matrix.processingDates[i] >= firstTestDay && y === 1 ? 0 : y
  );
  const oneClass: FeatureMatrix = { ...matrix, label };
  await assert.rejects(
    train(oneClass, OPTIONS),
    noSignal(
      /NO_SIGNAL: the alert_scorer learned nothing usable: the test set has 0 positive of \d+ rows \(it needs both classes\)/,
    ),
  );
  const model = await train(oneClass, { ...OPTIONS, allowWeak: true });
  const details = model.details as Record<string, unknown>;
  assert.equal(details.weak, true);
  assert.match(String(details.weak_reasons), /0 positive/);
  const dir = await Deno.makeTempDir();
  try {
    const saved = await save(model, { outputDir: dir });
    const loaded = await load(saved.metadataPath);
    assert.equal(loaded.metadata.weak, true);
    const row = trainedModelsRow(loaded.metadata, saved.modelPath);
    assert.equal(JSON.parse(String(row.metrics_json)).weak, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() refuses a scorer no better than the alert's own confidence score", async () => {
  const matrix = syntheticMatrix({ days: 12, rowsPerDay: 60, seed: 5 });
  // A confidence score that is the label itself: nothing can beat it.
  const n = matrix.numRows;
  const data = new Float32Array((matrix.numFeatures + 1) * n);
  data.set(matrix.data);
  for (let i = 0; i < n; i++) data[matrix.numFeatures * n + i] = matrix.label[i];
  const withConfidence: FeatureMatrix = {
    ...matrix,
    numFeatures: matrix.numFeatures + 1,
    data,
    featureNames: [...matrix.featureNames, "alert_confidence"],
  };
  await assert.rejects(
    train(withConfidence, OPTIONS),
    noSignal(/test AUC 1\.0000 is no better than the baseline's \(alert_confidence .*\) 1\.0000/),
  );
});

Deno.test("a model that beats its baseline saves, not weak, with the lift recorded", async () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 12, rowsPerDay: 40, seed: 6 });
  const model = await train(matrix, OPTIONS);
  assert.equal((model.details as Record<string, unknown>).weak, false);
  assert.ok(model.metrics["lift_ndcg@10"] > 0);
  assert.ok(model.metrics["test_precision@10"] > 0);
});
