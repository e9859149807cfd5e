import assert from "node:assert/strict";
import { RiskTrainError } from "../src/errors.ts";
import { keyedFolds, timeFolds } from "../src/train/cv_folds.ts";
import { createRandom } from "../src/random.ts";
import { train } from "../src/train/train.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

/** Rows over `days` dates with some dates missing, a random number of rows per date. */
function datedRows(seed: number, days: number) {
  const random = createRandom(seed);
  const dates: number[] = [];
  for (let day = 0; day < days; day++) {
    if (random.nextFloat() < 0.15) continue; // a date without alerts
    const count = 1 + random.nextInt(5);
    for (let i = 0; i < count; i++) dates.push(20000 + day);
  }
  return Int32Array.from(dates);
}

Deno.test("timeFolds() never validates a date at or before a fitting date plus the gap", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    for (const [k, gap, block] of [[2, 0, 3], [3, 0, 5], [4, 2, 4], [5, 7, 2], [3, 1, 100]]) {
      const dates = datedRows(seed, 60);
      const rows = Uint32Array.from(dates.keys());
      const { folds, dates: recorded, blockDays } = timeFolds(dates, rows, k, gap, block);
      const distinct = new Set(dates).size;
      assert.equal(blockDays, Math.min(block, Math.floor(distinct / (k + 1))));
      assert.equal(folds.length, k);
      let previousEnd = -Infinity;
      folds.forEach((fold, f) => {
        const fit = Array.from(fold.train, (r) => dates[r]);
        const valid = Array.from(fold.valid, (r) => dates[r]);
        const lastFit = Math.max(...fit), firstValid = Math.min(...valid);
        assert.ok(
          firstValid > lastFit + gap,
          `seed ${seed} k ${k} gap ${gap} fold ${f}: validates ${firstValid} after fitting ${lastFit}`,
        );
        // Whole dates, blockDays of them, later blocks after earlier ones.
        assert.equal(new Set(valid).size, blockDays);
        for (const r of rows) {
          if (valid.includes(dates[r])) assert.ok(fold.valid.includes(r), "a date is split");
        }
        assert.ok(firstValid > previousEnd);
        previousEnd = Math.max(...valid);
        assert.equal(recorded[f].valid_rows, valid.length);
        assert.equal(recorded[f].fit_rows, fit.length);
      });
      // The last block ends at the last training date: every later date is validated once.
      assert.equal(previousEnd, Math.max(...dates));
    }
  }
});

Deno.test("timeFolds() needs k + 1 dates and a fitting date before every block", () => {
  const dates = new Int32Array([1, 2, 3]);
  assert.throws(
    () => timeFolds(dates, Uint32Array.from([0, 1, 2]), 3, 0, 1),
    (e) =>
      e instanceof RiskTrainError && e.code === "NO_DATA" && /4 training dates/.test(e.message),
  );
  assert.throws(
    () => timeFolds(new Int32Array([1, 2, 3, 4]), Uint32Array.from([0, 1, 2, 3]), 2, 5, 1),
    (e) => e instanceof RiskTrainError && /gap of 5 days/.test(e.message),
  );
});

Deno.test("keyedFolds() keeps every address in one fold", () => {
  const random = createRandom(4);
  const addresses = Array.from({ length: 500 }, () => `addr-${random.nextInt(80)}`);
  const folds = keyedFolds(addresses, Uint32Array.from(addresses.keys()), 4, createRandom(9));
  for (const fold of folds) {
    const fit = new Set(Array.from(fold.train, (r) => addresses[r]));
    for (const r of fold.valid) assert.ok(!fit.has(addresses[r]), `${addresses[r]} on both sides`);
  }
  assert.equal(folds.reduce((a, f) => a + f.valid.length, 0), 500);
});

Deno.test("train() records the time-ordered folds, their dates, the gap and the out-of-fold dates", async () => {
  const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 12 });
  const model = await train(matrix, {
    trials: 0,
    folds: 3,
    cvGapDays: 1,
    numBoostRound: 60,
    earlyStoppingRounds: 10,
  });
  // deno-lint-ignore no-explicit-any
  const cv = (model.details as Record<string, any>).cv;
  assert.equal(cv.scheme, "time");
  assert.equal(cv.gap_days, 1);
  // 4 test dates; 16 training dates allow blocks of 4.
  assert.equal(cv.block_days, 4);
  assert.deepEqual(cv.fold_dates.map((f: { valid_start_date: string }) => f.valid_start_date), [
    "2024-01-05",
    "2024-01-09",
    "2024-01-13",
  ]);
  assert.equal(cv.fold_dates[0].fit_end_date, "2024-01-03");
  assert.deepEqual(
    [cv.out_of_fold.start_date, cv.out_of_fold.end_date, cv.out_of_fold.dates],
    ["2024-01-05", "2024-01-16", 12],
  );
  assert.ok(model.calibration && model.calibration.method === "isotonic");
  for (const name of ["test_brier", "test_brier_calibrated", "test_ece", "test_ece_calibrated"]) {
    assert.ok(Number.isFinite(model.metrics[name]), name);
  }
  assert.ok(model.metrics.test_ece_calibrated < model.metrics.test_ece);
});
