/**
 * LightGBM in WebAssembly against native LightGBM (the Python package), side by side:
 * Dataset construction and 100 training rounds on synthetic binary data, on one thread
 * (wasm/lightgbm.mjs against native) and on all cores (wasm/lightgbm_threads.mjs against
 * native), with peak memory. Each measurement runs in its own process.
 *
 *   deno run -A bench/lightgbm_bench.ts [200000x50] [1000000x100] ...
 *
 * (A wall-clock comparison of whole trainings, so a script rather than `deno bench`.)
 */
import { syntheticSource } from "../tests/parity/lightgbm_data.ts";
import { writeNpy } from "../tests/parity/npy.ts";
import { Dataset, initLightGBM, train } from "../src/lightgbm/mod.ts";
import { memoryBytes, shutdownLightGBM } from "../src/lightgbm/_wasm.ts";

const ROUNDS = 100;
const PARAMS = {
  objective: "binary",
  deterministic: true,
  force_row_wise: true,
  num_threads: 1,
  verbosity: -1,
  seed: 1,
};

interface Measurement {
  datasetMs: number;
  trainMs: number;
  peakRssBytes: number;
  wasmBytes?: number;
}

function peakRss(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Child process: train with risktrain on a synthetic matrix, on `threads` threads. */
async function measureRisktrain(
  rows: number,
  cols: number,
  threads: number,
): Promise<Measurement> {
  const source = syntheticSource(rows, cols, "binary", 1, "float32");
  const params = { ...PARAMS, num_threads: threads };
  await initLightGBM({ threads: threads > 1 });
  try {
    let started = performance.now();
    using dataset = Dataset.fromMatrix({ ...source, categorical: [] }, { params });
    const datasetMs = performance.now() - started;
    started = performance.now();
    using booster = await train(params, dataset, { numBoostRound: ROUNDS });
    const trainMs = performance.now() - started;
    if (booster.currentIteration !== ROUNDS) throw new Error("training stopped early");
    return { datasetMs, trainMs, peakRssBytes: peakRss(), wasmBytes: memoryBytes() };
  } finally {
    shutdownLightGBM();
  }
}

async function child(args: string[], command = Deno.execPath()): Promise<Measurement> {
  const output = await new Deno.Command(command, { args, stderr: "inherit" }).output();
  if (!output.success) throw new Error(`${command} ${args.join(" ")} failed`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

if (Deno.args[0] === "--child") {
  const [rows, cols] = Deno.args[1].split("x").map(Number);
  console.log(JSON.stringify(await measureRisktrain(rows, cols, Number(Deno.args[2]))));
} else {
  const sizes = Deno.args.length > 0 ? Deno.args : ["200000x50", "1000000x100"];
  const dir = await Deno.makeTempDir({ prefix: "risktrain_bench_" });
  const script = new URL("./lightgbm_native.py", import.meta.url).pathname;
  const self = new URL(import.meta.url).pathname;
  const cores = navigator.hardwareConcurrency;
  try {
    for (const size of sizes) {
      const [rows, cols] = size.split("x").map(Number);
      const source = syntheticSource(rows, cols, "binary", 1, "float32");
      const prefix = `${dir}/${size}`;
      await writeNpy(`${prefix}_X.npy`, source.data as Float32Array, [rows, cols], true);
      await writeNpy(`${prefix}_y.npy`, source.label, [rows]);
      const ours = await child(["run", "-A", self, "--child", size, "1"]);
      const native1 = await child([script, prefix, String(ROUNDS), "1"], "python3");
      const oursAll = await child(["run", "-A", self, "--child", size, String(cores)]);
      const nativeAll = await child([script, prefix, String(ROUNDS), String(cores)], "python3");
      await Deno.remove(`${prefix}_X.npy`);
      console.log(`\n${rows} x ${cols}, ${ROUNDS} rounds (${cores} cores)`);
      console.log("| | Dataset | train | peak RSS | wasm memory |");
      console.log("|---|---|---|---|---|");
      const row = (name: string, m: Measurement) =>
        console.log(
          `| ${name} | ${sec(m.datasetMs)} | ${sec(m.trainMs)} | ${mib(m.peakRssBytes)} | ${
            m.wasmBytes ? mib(m.wasmBytes) : "-"
          } |`,
        );
      row("risktrain wasm, 1 thread", ours);
      row("native, 1 thread", native1);
      row(`risktrain wasm, ${cores} threads`, oursAll);
      row(`native, ${cores} threads`, nativeAll);
      const ratio = (name: string, a: Measurement, b: Measurement) =>
        console.log(
          `risktrain / native ${name}: Dataset ${(a.datasetMs / b.datasetMs).toFixed(2)}x, ` +
            `train ${(a.trainMs / b.trainMs).toFixed(2)}x`,
        );
      ratio("1 thread", ours, native1);
      ratio(`${cores} threads`, oursAll, nativeAll);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
