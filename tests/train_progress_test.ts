import assert from "node:assert/strict";
import { train } from "../src/train/train.ts";
import type { TrainProgress } from "../src/train/train_options.ts";
import { RoundBudget } from "../src/train/_round_budget.ts";
import { captureLogs } from "./support/capture_logs.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

Deno.test("RoundBudget counts rounds run and credits those a job did not need", () => {
  const budget = new RoundBudget(30);
  const a = budget.job(10);
  const b = budget.job(10);
  a.advance(4);
  a.advance(4); // the same iteration twice counts once
  b.advance(3);
  assert.equal(budget.done, 7);
  a.finish(); // stopped early at 4: the other 6 rounds are not needed
  assert.equal(budget.done, 13);
  budget.skip(10);
  b.advance(10);
  b.finish();
  assert.equal(budget.done, 30);
});

Deno.test("train() reports rounds against each stage's budget and logs every finished trial", async () => {
  const progress: TrainProgress[] = [];
  // 9 trials over 90 rounds: rungs of 9, 3 and 1 configurations at 10, 30 and 90 rounds.
  const records = await captureLogs(() =>
    train(syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 3 }), {
      trials: 9,
      folds: 2,
      numBoostRound: 90,
      earlyStoppingRounds: 10,
      workers: 2,
      onProgress: (p) => progress.push(p),
    })
  );

  const search = progress.filter((p) => p.stage === "search");
  assert.ok(search.every((p) => p.total === (9 * 10 + 3 * 30 + 1 * 90) * 2));
  for (let i = 1; i < search.length; i++) assert.ok(search[i].done >= search[i - 1].done);
  assert.equal(search.at(-1)!.done, search.at(-1)!.total);
  assert.deepEqual([...new Set(search.map((p) => p.rung))], [0, 1, 2]);
  // The best score is known from the first finished trial on, never NaN at the last rung.
  assert.ok(search.filter((p) => p.rung === 2).every((p) => Number.isFinite(p.bestScore)));

  const final = progress.filter((p) => p.stage === "final");
  const threshold = progress.filter((p) => p.stage === "threshold");
  assert.ok(final.every((p) => p.fold === -1 && p.rung === -1));
  assert.equal(final.at(-1)!.done, final.at(-1)!.total);
  assert.ok(threshold.length > 0 && threshold.every((p) => p.fold >= 0));
  assert.equal(threshold.at(-1)!.total, final.at(-1)!.total * 2);
  assert.equal(threshold.at(-1)!.done, threshold.at(-1)!.total);

  const trials = records.filter((r) => String(r.rawMessage).startsWith("Trial {trial}"));
  const rung0 = trials.filter((r) => r.properties.rung === 0);
  assert.deepEqual(rung0.map((r) => r.properties.trial).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  for (const record of trials) {
    assert.equal(record.properties.trials, 9);
    assert.ok(Number.isFinite(record.properties.score as number));
    assert.ok((record.properties.bestScore as number) >= (record.properties.score as number));
  }
});
