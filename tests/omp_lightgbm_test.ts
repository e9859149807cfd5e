/**
 * The multi-threaded LightGBM build (wasm/lightgbm_threads.mjs, OpenMP over
 * wasm/omp): the same models as the single-threaded build, on 1 and 2 threads, and a
 * process that exits once the threads are shut down.
 */
import assert from "node:assert/strict";
import { syntheticSource, type SyntheticTask } from "./parity/lightgbm_data.ts";
import { Dataset, train } from "../src/lightgbm/mod.ts";
import { initLightGBM, shutdownLightGBM } from "../src/lightgbm/_wasm.ts";

const OBJECTIVES: Record<SyntheticTask, string> = {
  binary: "binary",
  regression: "regression",
  lambdarank: "lambdarank",
};

/** Model text of a short deterministic training, without the num_threads line. */
async function trainedModel(task: SyntheticTask, numThreads: number): Promise<string> {
  const source = syntheticSource(20_000, 12, task, 3, "float32");
  const params = {
    objective: OBJECTIVES[task],
    deterministic: true,
    force_row_wise: true,
    num_threads: numThreads,
    verbosity: -1,
    seed: 5,
  };
  using dataset = Dataset.fromMatrix(source, { params });
  using booster = await train(params, dataset, { numBoostRound: 15 });
  return booster.saveModelToString().replace(/^\[num_threads: \d+\]\n/m, "");
}

Deno.test("threaded LightGBM build trains the single-threaded build's model on 1 and 2 threads", async () => {
  const tasks: SyntheticTask[] = ["binary", "regression", "lambdarank"];
  const single = new Map<SyntheticTask, string>();
  await initLightGBM();
  try {
    for (const task of tasks) single.set(task, await trainedModel(task, 1));
  } finally {
    shutdownLightGBM();
  }
  await initLightGBM({ threads: true });
  try {
    for (const task of tasks) {
      const expected = single.get(task)!;
      assert.match(expected, /^Tree=14$/m);
      assert.equal(await trainedModel(task, 1), expected, `${task}, 1 thread`);
      assert.equal(await trainedModel(task, 2), expected, `${task}, 2 threads`);
    }
  } finally {
    shutdownLightGBM();
  }
});

Deno.test("initLightGBM() refuses to switch builds without shutdownLightGBM()", async () => {
  await initLightGBM();
  try {
    assert.throws(() => initLightGBM({ threads: true }), /already loaded single-threaded/);
  } finally {
    shutdownLightGBM();
  }
});

Deno.test("a process training on 2 threads exits after shutdownLightGBM(), with no permission", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/run.ts`;
    const binding = new URL("../src/lightgbm/", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { Dataset, train } from "${binding}mod.ts";
import { initLightGBM, shutdownLightGBM } from "${binding}_wasm.ts";
await initLightGBM({ threads: true });
const n = 4000;
const data = new Float64Array(n * 2);
const label = new Float32Array(n);
for (let i = 0; i < n; i++) {
  data[i] = (i * 7919) % 1000;
  data[n + i] = (i * 104729) % 997;
  label[i] = data[i] + data[n + i] > 1000 ? 1 : 0;
}
const params = { objective: "binary", num_threads: 2, verbosity: -1 };
const matrix = { numRows: n, numFeatures: 2, data, label, weight: null, group: null,
  featureNames: ["a", "b"], categorical: [] };
const dataset = Dataset.fromMatrix(matrix, { params });
const booster = await train(params, dataset, { numBoostRound: 5 });
console.log("trees=" + booster.currentIteration);
booster[Symbol.dispose]();
dataset[Symbol.dispose]();
shutdownLightGBM();
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `exit ${out.code}: ${stderr}`);
    assert.match(new TextDecoder().decode(out.stdout), /^trees=5$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
