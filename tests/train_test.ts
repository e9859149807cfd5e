import assert from "node:assert/strict";
import { RiskTrainError } from "../src/errors.ts";
import { groupedFolds, stratifiedFolds } from "../src/train/cv_folds.ts";
import { createRandom } from "../src/train/random.ts";
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
