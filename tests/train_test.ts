// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { CancelledError, RiskTrainError } from "../src/errors.ts";
import { save } from "../src/notebook.ts";
import { load } from "../src/storage/registry.ts";
import { train } from "../src/train/train.ts";
import type { TrainProgress } from "../src/train/train_options.ts";
import { groupedFolds, stratifiedFolds } from "../src/train/cv_folds.ts";
import { createRandom } from "../src/random.ts";
import { summariseCv } from "../src/train/cv_curves.ts";
import { imbalanceDecision, lightgbmParams } from "../src/train/_lightgbm_params.ts";
import { subsetMatrix } from "../src/train/_matrix_subset.ts";
import { DEFAULT_HYPERPARAMETERS, sampleHyperparameters } from "../src/train/search_space.ts";
import { halvingSchedule, successiveHalving } from "../src/train/successive_halving.ts";
import { timeSplit } from "../src/train/time_split.ts";
import { trainingKey } from "../src/train/training_key.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

const isoOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

Deno.test("timeSplit() holds out the latest dates, labelled rows only, and reports the dates", () => {
  const matrix = syntheticMatrix({ days: 10, rowsPerDay: 50 });
  const split = timeSplit(matrix, { testFraction: 0.2 });
  assert.equal(split.trainStartDate, "2024-01-01");
  assert.equal(split.trainEndDate, "2024-01-08");
  assert.equal(split.testStartDate, "2024-01-09");
  assert.equal(split.testEndDate, "2024-01-10");
  const latestTrain = Math.max(...[...split.trainRows].map((i) => matrix.processingDates[i]));
  const earliestTest = Math.min(...[...split.testRows].map((i) => matrix.processingDates[i]));
  assert.ok(latestTrain < earliestTest);
  for (const i of [...split.trainRows, ...split.testRows]) {
    assert.ok(!Number.isNaN(matrix.label[i]));
  }
  const labelled = matrix.label.filter((v) => !Number.isNaN(v)).length;
  assert.equal(split.trainRows.length + split.testRows.length, labelled);
  assert.ok(split.testRows.length >= 0.2 * labelled);
  const byDate = timeSplit(matrix, { testStartDate: "2024-01-06" });
  assert.equal(isoOf(matrix.processingDates[byDate.testRows[0]]), "2024-01-06");
  assert.equal(byDate.trainEndDate, "2024-01-05");
});

Deno.test("timeSplit() rejects a split that leaves a side empty", () => {
  const matrix = syntheticMatrix({ days: 5, rowsPerDay: 20 });
  for (const testStartDate of ["2024-01-01", "2024-02-01"]) {
    assert.throws(
      () => timeSplit(matrix, { testStartDate }),
      (e) => e instanceof RiskTrainError && e.code === "NO_DATA" && /empty/.test(e.message),
    );
  }
  const oneDay = syntheticMatrix({ days: 1, rowsPerDay: 20 });
  assert.throws(() => timeSplit(oneDay, { testFraction: 0.2 }), /training set empty/);
});

Deno.test("timeSplit() rejects a ranker query group spanning two dates", () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 4, rowsPerDay: 10 });
  const group = matrix.group!.slice();
  group[10] = group[9]; // first row of day 2 joins day 1's group
  assert.throws(
    () => timeSplit({ ...matrix, group }, { testFraction: 0.25 }),
    (e) => e instanceof RiskTrainError && e.code === "DATA_INVALID",
  );
});

Deno.test("stratifiedFolds() partitions the rows with the positive share in every fold, seeded", () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 50 });
  const { trainRows } = timeSplit(matrix, { testFraction: 0.2 });
  const folds = stratifiedFolds(matrix.label, trainRows, 5, createRandom(7));
  const seen = new Set<number>();
  const positives = [...trainRows].filter((i) => matrix.label[i] === 1).length;
  for (const fold of folds) {
    for (const i of fold.valid) {
      assert.ok(!seen.has(i), "a row is in two validation folds");
      seen.add(i);
    }
    assert.equal(fold.train.length + fold.valid.length, trainRows.length);
    const foldPositives = [...fold.valid].filter((i) => matrix.label[i] === 1).length;
    assert.ok(Math.abs(foldPositives - positives / 5) <= 1, `fold has ${foldPositives} positives`);
    assert.ok(fold.valid.every((v, j) => j === 0 || v > fold.valid[j - 1]), "ascending rows");
  }
  assert.equal(seen.size, trainRows.length);
  assert.deepEqual(stratifiedFolds(matrix.label, trainRows, 5, createRandom(7)), folds);
  assert.notDeepEqual(stratifiedFolds(matrix.label, trainRows, 5, createRandom(8)), folds);
});

Deno.test("stratifiedFolds() needs k rows of each class", () => {
  const label = new Float32Array([1, 0, 0, 0, 0, 0, 1]);
  assert.throws(
    () => stratifiedFolds(label, Uint32Array.from(label.keys()), 3, createRandom(1)),
    (e) => e instanceof RiskTrainError && /at least 3 positive/.test(e.message),
  );
});

Deno.test("groupedFolds() never splits a query group and balances fold sizes", () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 23, rowsPerDay: 40 });
  const { trainRows } = timeSplit(matrix, { testFraction: 0.2 });
  const folds = groupedFolds(matrix.group!, trainRows, 5, createRandom(3));
  const foldOfGroup = new Map<number, number>();
  folds.forEach((fold, f) => {
    for (const i of fold.valid) {
      const g = matrix.group![i];
      assert.equal(foldOfGroup.get(g) ?? f, f, `group ${g} is split`);
      foldOfGroup.set(g, f);
    }
  });
  const sizes = folds.map((f) => f.valid.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 40, `fold sizes ${sizes}`);
  assert.throws(
    () => groupedFolds(matrix.group!, trainRows.slice(0, 60), 5, createRandom(3)),
    /query groups/,
  );
});

Deno.test("sampleHyperparameters() draws seeded values inside the search space", () => {
  const a = createRandom(5), b = createRandom(5);
  for (let t = 0; t < 200; t++) {
    const p = sampleHyperparameters(a);
    assert.deepEqual(sampleHyperparameters(b), p);
    assert.ok(p.num_leaves >= 8 && p.num_leaves <= 256);
    assert.ok(p.learning_rate >= 0.01 && p.learning_rate <= 0.3);
    assert.ok(p.min_data_in_leaf >= 5 && p.min_data_in_leaf <= 200);
    assert.ok(p.feature_fraction >= 0.5 && p.feature_fraction <= 1);
    assert.ok(p.bagging_fraction >= 0.5 && p.bagging_fraction <= 1);
    assert.ok(p.bagging_fraction === 1 ? p.bagging_freq === 0 : [1, 5].includes(p.bagging_freq));
    assert.ok(p.lambda_l1 === 0 || (p.lambda_l1 >= 1e-3 && p.lambda_l1 <= 10));
    assert.ok(p.max_depth === -1 || (p.max_depth >= 3 && p.max_depth <= 12));
  }
});

Deno.test("successive halving keeps the best third at each rung and reuses converged results", async () => {
  assert.deepEqual(halvingSchedule(20, 900), [
    { rounds: 100, keep: 20 },
    { rounds: 300, keep: 7 },
    { rounds: 900, keep: 3 },
  ]);
  assert.deepEqual(halvingSchedule(1, 900), [{ rounds: 900, keep: 1 }]);
  const calls: [number[], number][] = [];
  // Config c scores 10c, config 2 gains with more rounds (150, 250, 550: it wins a tie at
  // the first rung by its lower index); config 19 converges at the first rung.
  const { best, history } = await successiveHalving(20, 900, (configs, rounds) => {
    calls.push([configs, rounds]);
    return Promise.resolve(configs.map((c) => ({
      score: c === 2 ? 100 + rounds / 2 : c * 10,
      converged: c === 19,
    })));
  });
  assert.deepEqual(calls[1], [[18, 17, 16, 2, 15, 14], 300]); // 19 is not retrained
  assert.deepEqual(calls[2][0].sort((a, b) => a - b), [2, 18]);
  assert.equal(best, 2);
  assert.equal(history.filter((h) => h.rung === 2).length, 3);
});

Deno.test("trainingKey() is stable under defaults and changes with the data or options", async () => {
  const matrix = syntheticMatrix({ days: 5 });
  const key = await trainingKey(matrix, {});
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(
    await trainingKey(matrix, { trials: 20, folds: 5, seed: 42, testFraction: 0.2 }),
    key,
  );
  assert.equal(await trainingKey(matrix, { workers: 1, onProgress: () => {} }), key);
  assert.notEqual(await trainingKey(matrix, { seed: 43 }), key);
  assert.notEqual(await trainingKey(matrix, { testStartDate: "2024-01-04" }), key);
  const other = { ...matrix, provenance: { ...matrix.provenance, fingerprint: "other" } };
  assert.notEqual(await trainingKey(other, {}), key);
});

Deno.test("summariseCv() takes the best iteration of the mean curve over the common prefix", () => {
  const s = summariseCv([
    new Float64Array([0.6, 0.7, 0.72, 0.71]),
    new Float64Array([0.62, 0.66, 0.7]),
  ], 10);
  assert.equal(s.bestIteration, 3);
  assert.ok(Math.abs(s.mean - 0.71) < 1e-15);
  assert.ok(Math.abs(s.std - 0.01) < 1e-15);
  assert.equal(s.converged, true);
  assert.equal(summariseCv([new Float64Array(10).fill(0.5)], 10).converged, false);
});

Deno.test("imbalanceDecision() weights positives only when asked or when they are rare", () => {
  const label = new Float32Array(100).map((_, i) => (i < 5 ? 1 : 0));
  const rows = Uint32Array.from(label.keys());
  const auto = imbalanceDecision("alert_scorer", label, null, rows, "auto");
  assert.equal(auto.strategy, "scale_pos_weight");
  assert.equal(auto.scale_pos_weight, 19);
  assert.equal(imbalanceDecision("alert_scorer", label, null, rows, "none").strategy, "none");
  const balanced = new Float32Array(100).map((_, i) => (i < 30 ? 1 : 0));
  assert.equal(imbalanceDecision("cluster_scorer", balanced, null, rows, "auto").strategy, "none");
  assert.equal(
    imbalanceDecision("cluster_scorer", balanced, null, rows, "scale_pos_weight").scale_pos_weight,
    70 / 30,
  );
  assert.equal(
    imbalanceDecision("alert_ranker", label, null, rows, "auto").strategy,
    "not_applicable",
  );
  const params = lightgbmParams("alert_scorer", DEFAULT_HYPERPARAMETERS, auto, 9);
  assert.equal(params.scale_pos_weight, 19);
  assert.equal(params.seed, 9);
  assert.equal(params.deterministic, true);
});

Deno.test("subsetMatrix() copies the chosen rows of every column-major array", () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 3, rowsPerDay: 4 });
  const rows = Uint32Array.from([1, 5, 6, 11]);
  const subset = subsetMatrix(matrix, rows);
  assert.equal(subset.numRows, 4);
  for (let j = 0; j < matrix.numFeatures; j++) {
    rows.forEach((row, r) => {
      const want = matrix.data[j * matrix.numRows + row];
      const got = subset.data[j * 4 + r];
      assert.ok(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)));
    });
  }
  assert.deepEqual([...subset.group!], [0, 1, 1, 2]);
  assert.deepEqual(subset.ids, ["row-1", "row-5", "row-6", "row-11"]);
  assert.deepEqual([...subset.weight!], [...rows].map((r) => matrix.weight![r]));
});

Deno.test("train() fits a scorer on the labelled rows and reports test and CV metrics", async () => {
  const matrix = syntheticMatrix({ days: 30, rowsPerDay: 100, seed: 2 });
  const progress: TrainProgress[] = [];
  const model = await train(matrix, {
    trials: 0,
    folds: 3,
    numBoostRound: 200,
    earlyStoppingRounds: 20,
    workers: 2,
    onProgress: (p) => progress.push(p),
  });
  const labelled = matrix.label.filter((v) => !Number.isNaN(v)).length;
  assert.equal(model.dataStats.numSamples, labelled);
  assert.equal(model.dataStats.numFeatures, 6);
  assert.ok(model.metrics.test_auc > 0.85, `test AUC ${model.metrics.test_auc}`);
  assert.ok(model.metrics.cv_auc_mean > 0.85 && model.metrics.cv_auc_std >= 0);
  for (const name of ["test_pr_auc", "test_log_loss", "test_precision", "test_recall", "test_f1"]) {
    assert.ok(Number.isFinite(model.metrics[name]), name);
  }
  const details = model.details as Record<string, any>;
  assert.ok(details.threshold > 0 && details.threshold < 1);
  assert.equal(details.split.test_start_date, "2024-01-25");
  assert.equal(details.split.train_rows + details.split.test_rows, labelled);
  assert.equal(details.imbalance.strategy, "none");
  assert.equal(model.numTrees, details.cv.best_iteration);
  assert.equal(model.hyperparameters.num_iterations, details.cv.best_iteration);
  assert.equal(model.hyperparameters.objective, "binary");
  assert.match(model.modelText, /^tree\n/);
  assert.match(model.modelText, /feature_names=f0 f1 f2 noise_a noise_b typology/);
  // The informative features carry the gain.
  const gain = Object.fromEntries(model.featureImportance.map((f) => [f.name, f.gain]));
  assert.ok(gain.f0 > gain.noise_a && gain.f1 > gain.noise_b);
  assert.ok(progress.some((p) => p.stage === "search" && p.fold >= 0));
  assert.ok(progress.some((p) => p.stage === "final" && p.fold === -1));
  // The threshold is the one that maximises F1 on out-of-fold predictions: test F1 at it
  // is close to the best F1 the test set allows.
  assert.ok(model.metrics.test_f1 > 0.5);
});

Deno.test("train() with the same seed gives a byte-identical model; another seed differs", async () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 3 });
  const options = { trials: 3, folds: 3, numBoostRound: 60, earlyStoppingRounds: 10 };
  const a = await train(matrix, { ...options, seed: 7 });
  const b = await train(matrix, { ...options, seed: 7, workers: 1 });
  assert.equal(a.modelText, b.modelText);
  assert.deepEqual(a.metrics, b.metrics);
  const c = await train(matrix, { ...options, seed: 8 });
  assert.notEqual(c.modelText, a.modelText);
});

Deno.test("train() searches by successive halving and records every evaluation", async () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 4 });
  const model = await train(matrix, {
    trials: 9,
    folds: 3,
    numBoostRound: 90,
    earlyStoppingRounds: 10,
  });
  const search = (model.details as Record<string, any>).search;
  assert.deepEqual(search.schedule, [{ rounds: 10, keep: 9 }, { rounds: 30, keep: 3 }, {
    rounds: 90,
    keep: 1,
  }]);
  assert.equal(search.configurations.length, 9);
  assert.deepEqual(search.configurations[0], DEFAULT_HYPERPARAMETERS);
  assert.equal(search.history.filter((h: { rung: number }) => h.rung === 0).length, 9);
  assert.equal(search.history.filter((h: { rung: number }) => h.rung === 2).length, 1);
  const last = search.history.at(-1);
  assert.equal(last.trial, search.chosen_trial);
  for (const [key, value] of Object.entries(search.configurations[search.chosen_trial])) {
    assert.equal(model.hyperparameters[key], value);
  }
});

Deno.test("train() fits the ranker on query groups and reports NDCG@k and MAP", async () => {
  const matrix = syntheticMatrix({ modelType: "alert_ranker", days: 30, rowsPerDay: 60, seed: 5 });
  const model = await train(matrix, {
    trials: 0,
    folds: 3,
    numBoostRound: 100,
    earlyStoppingRounds: 20,
  });
  assert.equal(model.hyperparameters.objective, "lambdarank");
  for (const k of [5, 10, 20]) {
    const v = model.metrics[`test_ndcg@${k}`];
    assert.ok(v > 0.6 && v <= 1, `ndcg@${k} ${v}`);
  }
  assert.ok(model.metrics.test_map > 0 && model.metrics.test_map <= 1);
  assert.ok(model.metrics["cv_ndcg@10_mean"] > 0.6);
  assert.equal(model.metrics.test_auc, undefined);
  assert.equal((model.details as Record<string, unknown>).threshold, null);
  assert.equal((model.details as Record<string, any>).imbalance.strategy, "not_applicable");
});

Deno.test("train() records the class imbalance decision", async () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 6 });
  // Keep one positive in eight: the minority falls under 10%.
  const label = matrix.label.map((y, i) => (y === 1 && i % 8 !== 0 ? 0 : y));
  const model = await train({ ...matrix, label }, { trials: 0, folds: 3, numBoostRound: 50 });
  const imbalance = (model.details as Record<string, any>).imbalance;
  assert.equal(imbalance.strategy, "scale_pos_weight");
  assert.ok(imbalance.positive_rate < 0.1);
  assert.equal(model.hyperparameters.scale_pos_weight, imbalance.scale_pos_weight);
});

Deno.test("train() stops with CancelledError when the signal aborts mid-training", async () => {
  const matrix = syntheticMatrix({ days: 30, rowsPerDay: 200, seed: 7 });
  const controller = new AbortController();
  const started = performance.now();
  await assert.rejects(
    train(matrix, {
      trials: 20,
      folds: 5,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration >= 20) controller.abort();
      },
    }),
    (e) => e instanceof CancelledError,
  );
  assert.ok(performance.now() - started < 60_000);
});

Deno.test("train() rejects invalid options and a matrix built for another model type", async () => {
  const matrix = syntheticMatrix({ days: 5 });
  await assert.rejects(
    train(matrix, { folds: 1 }),
    (e) => e instanceof RiskTrainError && e.code === "CONFIG_INVALID" && /folds/.test(e.message),
  );
  await assert.rejects(
    train(matrix, { modelType: "alert_ranker" }),
    (e) =>
      e instanceof RiskTrainError && e.code === "CONFIG_INVALID" && /alert_scorer/.test(e.message),
  );
  const label = matrix.label.slice();
  label[0] = 2;
  await assert.rejects(
    train({ ...matrix, label }, {}),
    (e) =>
      e instanceof RiskTrainError && e.code === "DATA_INVALID" &&
      /label 2 at row 0/.test(e.message),
  );
});

Deno.test("a trained model saves, and its metadata carries the training facts", async () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 8 });
  const model = await train(matrix, { trials: 0, folds: 3, numBoostRound: 50 });
  const dir = await Deno.makeTempDir();
  const saved = await save(model, { outputDir: dir });
  const loaded = await load(saved.modelPath);
  assert.equal(loaded.modelText, model.modelText);
  assert.equal(
    loaded.metadata.config_hash,
    await trainingKey(matrix, { trials: 0, folds: 3, numBoostRound: 50 }),
  );
  assert.equal(loaded.metadata.num_trees, model.numTrees);
  assert.equal(
    loaded.metadata.split.test_start_date,
    (model.details as Record<string, any>).split.test_start_date,
  );
  await Deno.remove(dir, { recursive: true });
});
