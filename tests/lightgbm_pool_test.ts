/** TrainingPool: parallel independent trainings in workers, errors, cancellation, exit. */
import assert from "node:assert/strict";
import { CancelledError } from "../src/errors.ts";
import {
  Booster,
  initLightGBM,
  LightGBMError,
  type LightGBMParams,
  predictOnPool,
  runTrainingJob,
  shareSource,
  type TrainingJob,
  TrainingPool,
} from "../src/lightgbm/mod.ts";
import { syntheticSource } from "./parity/lightgbm_data.ts";
import { pickJob } from "../src/lightgbm/_pool_affinity.ts";

const PARAMS: LightGBMParams = {
  objective: "binary",
  metric: "auc",
  verbosity: -1,
  deterministic: true,
  force_row_wise: true,
  num_leaves: 15,
};
const source = shareSource(syntheticSource(4000, 8, "binary", 3));
const range = (from: number, to: number) =>
  Int32Array.from({ length: to - from }, (_, i) => from + i);

function foldJob(fold: number, extra: Partial<TrainingJob> = {}): TrainingJob {
  const valid = range(fold * 1000, (fold + 1) * 1000);
  const train = Int32Array.from(
    range(0, 4000).filter((r) => r < fold * 1000 || r >= (fold + 1) * 1000),
  );
  return {
    params: PARAMS,
    numBoostRound: 200,
    source,
    trainRows: train,
    validRows: valid,
    earlyStoppingRounds: 5,
    ...extra,
  };
}

Deno.test("TrainingPool runs folds in parallel workers with in-process results", async () => {
  await using pool = new TrainingPool({ size: 2 });
  const progress: number[] = [];
  const results = await Promise.all(
    [0, 1, 2, 3].map((fold) =>
      pool.run(foldJob(fold), fold === 0 ? { onProgress: (i) => progress.push(i) } : {})
    ),
  );
  for (const [fold, result] of results.entries()) {
    assert.ok(result.bestIteration > 0, "early stopping ran");
    assert.equal(result.evalHistory.valid.auc.length, result.numIterations);
    assert.equal(result.validPredictions?.length, 1000);
    assert.equal(result.featureImportance.split.length, 8);
    if (fold === 0) {
      const local = await runTrainingJob(foldJob(0));
      assert.equal(result.modelText, local.modelText, "a worker trains what the main thread does");
      assert.deepEqual(result.validPredictions, local.validPredictions);
    }
  }
  assert.equal(progress.length, results[0].numIterations);
});

Deno.test("TrainingPool reuses cached Datasets by key with the same result", async () => {
  await using pool = new TrainingPool({ size: 1 });
  const first = await pool.run(foldJob(1, { datasetKey: "fold-1" }));
  const second = await pool.run(foldJob(1, { datasetKey: "fold-1" }));
  assert.equal(second.modelText, first.modelText);
  assert.deepEqual([first.reusedDatasets, second.reusedDatasets], [false, true]);
});

Deno.test("A free worker takes the jobs whose Datasets it holds, then unclaimed ones", () => {
  const queue = ["fold-0", undefined, "fold-1", "fold-2"];
  assert.equal(pickJob(queue, new Set(["fold-2"]), new Set(["fold-0"])), 3, "its own fold");
  assert.equal(pickJob(queue, new Set(), new Set(["fold-0"])), 1, "no key: anyone's");
  assert.equal(pickJob(["fold-0", "fold-1"], new Set(), new Set(["fold-0"])), 1, "unclaimed");
  assert.equal(pickJob(["fold-0", "fold-1"], new Set(), new Set(["fold-0", "fold-1"])), 0);
  assert.equal(pickJob(["fold-0"], new Set(["fold-0"]), new Set(["fold-0"])), 0);
});

Deno.test("TrainingPool rejects a failing job with LightGBMError and keeps working", async () => {
  await using pool = new TrainingPool({ size: 1 });
  await assert.rejects(
    pool.run(foldJob(0, { params: { objective: "bogus_objective" } })),
    (e: unknown) => e instanceof LightGBMError && /bogus_objective/.test(e.message),
  );
  const ok = await pool.run(foldJob(0, { numBoostRound: 5, earlyStoppingRounds: undefined }));
  assert.equal(ok.numIterations, 5);
});

Deno.test("TrainingPool cancels running and queued jobs", async () => {
  await using pool = new TrainingPool({ size: 1 });
  const controller = new AbortController();
  const long = foldJob(0, { numBoostRound: 1_000_000, earlyStoppingRounds: undefined });
  const running = pool.run(long, {
    signal: controller.signal,
    onProgress: (i) => {
      if (i === 2) controller.abort();
    },
  });
  const queued = pool.run(long, { signal: controller.signal });
  await Promise.all([
    assert.rejects(running, CancelledError),
    assert.rejects(queued, CancelledError),
  ]);
  const after = await pool.run(foldJob(2, { numBoostRound: 3, earlyStoppingRounds: undefined }));
  assert.equal(after.numIterations, 3);
});

Deno.test("predictOnPool() splits rows over the workers and returns the in-process values", async () => {
  const { modelText } = await runTrainingJob(foldJob(0, { numBoostRound: 30 }));
  await initLightGBM();
  using booster = Booster.fromModelString(modelText!);
  await using pool = new TrainingPool({ size: 3 });
  for (const type of ["normal", "contrib", "leaf"] as const) {
    // 4000 rows in 3 slices (1334, 1334, 1332), and a matrix with fewer rows than workers.
    assert.deepEqual(
      await predictOnPool(pool, modelText!, source, { type }),
      booster.predict(source, { type }),
      type,
    );
  }
  const two = { numRows: 2, numFeatures: 8, data: source.data.slice(0, 16) };
  assert.deepEqual(
    await predictOnPool(pool, modelText!, two, { type: "contrib" }),
    booster.predict(two, { type: "contrib" }),
  );
});

Deno.test("TrainingPool cancels a running prediction and keeps working", async () => {
  const { modelText } = await runTrainingJob(foldJob(0, { numBoostRound: 200 }));
  await using pool = new TrainingPool({ size: 1 });
  // 4000 rows x 100 repeats: seconds of TreeSHAP in one WebAssembly call, ended part-way.
  const rows = 400_000;
  const data = new Float64Array(new SharedArrayBuffer(rows * 8 * 8));
  for (let j = 0; j < 8; j++) {
    for (let r = 0; r < rows; r++) data[j * rows + r] = source.data[j * 4000 + (r % 4000)];
  }
  const big = { numRows: rows, numFeatures: 8, data };
  const controller = new AbortController();
  const running = pool.predict({
    modelText: modelText!,
    modelKey: "m",
    source: big,
    firstRow: 0,
    rowCount: rows,
    type: "contrib",
  }, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 300));
  controller.abort();
  await assert.rejects(running, CancelledError);
  const after = await predictOnPool(pool, modelText!, source, { type: "normal" });
  assert.equal(after.length, 4000);
});

Deno.test("TrainingPool.close() lets the process exit", async () => {
  const script = `
    import { shareSource, TrainingPool } from ${
    JSON.stringify(new URL("../src/lightgbm/mod.ts", import.meta.url).href)
  };
    const data = Float64Array.from({ length: 400 }, (_, i) => (i * 7919) % 400);
    const source = shareSource({ numRows: 400, numFeatures: 1, data,
      label: Float32Array.from(data, (v) => (v > 200 ? 1 : 0)), weight: null, group: null,
      featureNames: ["x"], categorical: [] });
    const pool = new TrainingPool();
    const result = await pool.run({ params: { objective: "binary", verbosity: -1 }, numBoostRound: 5, source });
    await pool.close();
    console.log(result.numIterations);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const timeout = setTimeout(() => child.kill(), 60_000);
  const output = await child.output();
  clearTimeout(timeout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "5");
});
