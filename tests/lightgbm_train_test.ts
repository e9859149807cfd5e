/** train() and cv(): callbacks, early stopping, evaluation history and cancellation. */
import assert from "node:assert/strict";
import { CancelledError } from "../src/errors.ts";
import {
  Booster,
  cv,
  Dataset,
  earlyStopping,
  type EvaluationHistory,
  initLightGBM,
  type LightGBMParams,
  logEvaluation,
  makeFolds,
  recordEvaluation,
  train,
} from "../src/lightgbm/mod.ts";
import { syntheticSource } from "./parity/lightgbm_data.ts";

await initLightGBM();

const PARAMS: LightGBMParams = {
  objective: "binary",
  metric: ["auc", "binary_logloss"],
  verbosity: -1,
  learning_rate: 0.3,
  num_leaves: 63,
  min_data_in_leaf: 2,
};
const source = syntheticSource(3000, 8, "binary", 21);
const range = (from: number, to: number) =>
  Int32Array.from({ length: to - from }, (_, i) => from + i);

Deno.test("train() records every evaluation and reports progress", async () => {
  using trainSet = Dataset.fromMatrix(source, { params: PARAMS, rows: range(0, 2000) });
  using validSet = Dataset.fromMatrix(source, { rows: range(2000, 3000), reference: trainSet });
  const history: EvaluationHistory = {};
  const seen: number[] = [];
  using booster = await train(PARAMS, trainSet, {
    numBoostRound: 15,
    validSets: [trainSet, validSet],
    validNames: ["training", "holdout"],
    callbacks: [recordEvaluation(history), logEvaluation(5, (env) => seen.push(env.iteration))],
  });
  assert.deepEqual(Object.keys(history).sort(), ["holdout", "training"]);
  assert.equal(history.holdout.auc.length, 15);
  assert.equal(history.training.binary_logloss.length, 15);
  assert.deepEqual(seen, [4, 9, 14]);
  assert.equal(booster.bestIteration, 0);
  assert.equal(booster.currentIteration, 15);
});

Deno.test("train() stops early at the best validation iteration", async () => {
  using trainSet = Dataset.fromMatrix(source, { params: PARAMS, rows: range(0, 2000) });
  using validSet = Dataset.fromMatrix(source, { rows: range(2000, 3000), reference: trainSet });
  const history: EvaluationHistory = {};
  using booster = await train(PARAMS, trainSet, {
    numBoostRound: 500,
    validSets: [validSet],
    callbacks: [
      recordEvaluation(history),
      earlyStopping(5, { firstMetricOnly: true, verbose: false }),
    ],
  });
  const auc = history.valid_0.auc;
  assert.ok(auc.length < 500, "stopped before the last round");
  const best = booster.bestIteration;
  assert.equal(auc.length, best + 5);
  assert.equal(Math.max(...auc), auc[best - 1]);
  using saved = Booster.fromModelString(booster.saveModelToString());
  assert.equal(saved.numTrees, best, "the saved model stops at the best iteration");
});

Deno.test("train() reads early_stopping_round from the parameters", async () => {
  using trainSet = Dataset.fromMatrix(source, { params: PARAMS, rows: range(0, 2000) });
  using validSet = Dataset.fromMatrix(source, { rows: range(2000, 3000), reference: trainSet });
  using booster = await train({ ...PARAMS, early_stopping_round: 3 }, trainSet, {
    numBoostRound: 500,
    validSets: [validSet],
  });
  assert.ok(booster.bestIteration > 0 && booster.currentIteration === booster.bestIteration + 3);
});

Deno.test("train() stops with CancelledError when the signal aborts", async () => {
  using trainSet = Dataset.fromMatrix(source, { params: PARAMS });
  const controller = new AbortController();
  let iterations = 0;
  await assert.rejects(
    train(PARAMS, trainSet, {
      numBoostRound: 10_000,
      signal: controller.signal,
      callbacks: [() => {
        if (++iterations === 3) controller.abort();
      }],
    }),
    CancelledError,
  );
  assert.equal(iterations, 3);
  const timer = new AbortController();
  setTimeout(() => timer.abort(), 50);
  await assert.rejects(
    train(PARAMS, trainSet, { numBoostRound: 1_000_000, signal: timer.signal }),
    CancelledError,
  );
});

Deno.test("makeFolds() keeps queries whole and covers every row once", () => {
  const sizes = Int32Array.from([3, 1, 4, 2, 5, 3]);
  const folds = makeFolds(18, 3, 9, sizes);
  const all = folds.flatMap((f) => Array.from(f.valid)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 18 }, (_, i) => i));
  for (const fold of folds) {
    assert.equal(fold.train.length + fold.valid.length, 18);
    const valid = new Set(fold.valid);
    let start = 0;
    for (const size of sizes) {
      const inValid = Array.from({ length: size }, (_, k) => valid.has(start + k));
      assert.ok(inValid.every((v) => v === inValid[0]), "a query is split across folds");
      start += size;
    }
  }
  assert.deepEqual(makeFolds(18, 3, 9, sizes), folds, "seeded");
});

Deno.test("cv() averages the folds and stops early", async () => {
  using dataset = Dataset.fromMatrix(source, { params: PARAMS });
  const full = await cv(PARAMS, dataset, { numBoostRound: 10, nfold: 3, seed: 1 });
  assert.equal(full.results["valid auc-mean"].length, 10);
  assert.equal(full.results["valid auc-stdv"].length, 10);
  assert.ok(full.results["valid auc-mean"][9] > 0.8);
  const stopped = await cv(PARAMS, dataset, {
    numBoostRound: 500,
    nfold: 3,
    seed: 1,
    callbacks: [earlyStopping(4, { firstMetricOnly: true, verbose: false })],
  });
  const means = stopped.results["valid auc-mean"];
  assert.equal(means.length, stopped.bestIteration);
  assert.ok(stopped.bestIteration < 500);
  assert.equal(Math.max(...means), means[means.length - 1]);
  // The same folds by hand give the same first averages.
  const folds = makeFolds(dataset.numRows, 3, 1);
  const manual = await cv(PARAMS, dataset, { numBoostRound: 10, folds });
  assert.deepEqual(manual.results, full.results);
});
