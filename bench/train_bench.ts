// deno-lint-ignore-file no-explicit-any
/**
 * The full `train` pipeline (extract, buildFeatures, 5-fold time-ordered CV with a 20-trial
 * search, final fit, evaluation, save) on the synthetic network, next to the Python reference
 * pipeline (bench/python_pipeline.py: chDB's Python package reading the same data directory,
 * pandas, the LightGBM Python package, the same time-ordered folds, configurations and trial
 * budget).
 *
 * The Python pipeline builds risktrain's feature catalogue with pandas (the same 131
 * columns: bench/python_pipeline_check.py proves it), so both train the same matrix with the
 * same folds and configurations. With BENCH_SAME_MATRIX=1 a third figure has Python train
 * risktrain's own matrix (written to bench/.out/train_bench/matrix), which isolates the
 * training engines from the loaders.
 *
 * Scale and budget from the environment: BENCH_DAYS (default 90) x BENCH_ALERTS_PER_DAY
 * (default 11,112: about 1M alerts), BENCH_TRIALS (20), BENCH_FOLDS (5). The generated
 * data is kept in bench/.out/train_bench/ and reused while the scale is unchanged. The
 * figures go to bench/.out/train_bench/result.json and the console; risktrain's log to stderr
 * at BENCH_LOG (default info; debug shows every trial).
 * Run with `deno bench -A bench/train_bench.ts` (needs python3 with lightgbm, pandas,
 * scikit-learn and chdb).
 *
 * @module
 */
import { join } from "node:path";
import type { LogLevel } from "npm:@logtape/logtape@2.4.2";
import { configureLogging } from "../src/cli/logging.ts";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { extract } from "../src/extract/extract.ts";
import { buildFeatures } from "../src/features/build_features.ts";
import { save } from "../src/notebook.ts";
import { train } from "../src/train/train.ts";
import type { FeatureMatrix, TrainedModel } from "../src/types.ts";
import { BENCH_NETWORK, generatedNetwork } from "./_generated_network.ts";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const DAYS = env("BENCH_DAYS", 90);
const ALERTS_PER_DAY = env("BENCH_ALERTS_PER_DAY", 11_112);
const TRIALS = env("BENCH_TRIALS", 20);
const FOLDS = env("BENCH_FOLDS", 5);
const SAME_MATRIX = env("BENCH_SAME_MATRIX", 0) === 1;
const { network: NETWORK, seed: SEED, startDate: START } = BENCH_NETWORK;
const END = new Date(Date.parse(START) + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
const OUT = new URL("./.out/train_bench/", import.meta.url).pathname;
const DATA_DIR = join(OUT, "chdb");
const MATRIX_DIR = join(OUT, "matrix");
const PIPELINE = new URL("./python_pipeline.py", import.meta.url).pathname;
await configureLogging((Deno.env.get("BENCH_LOG") ?? "info") as LogLevel);

await generatedNetwork(OUT, { dataDir: DATA_DIR, days: DAYS, alertsPerDay: ALERTS_PER_DAY });

/** Writes the matrix as raw little-endian arrays for `python_pipeline.py --matrix-dir`. */
async function writeMatrix(matrix: FeatureMatrix): Promise<void> {
  await Deno.mkdir(MATRIX_DIR, { recursive: true });
  const write = (name: string, values: ArrayBufferView | null) =>
    values &&
    Deno.writeFile(
      join(MATRIX_DIR, name),
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
  await write("data.bin", matrix.data);
  await write("label.f32", matrix.label);
  await write("weight.f32", matrix.weight);
  await write("group.i32", matrix.group);
  await write("dates.i32", matrix.processingDates);
  await Deno.writeTextFile(
    join(MATRIX_DIR, "meta.json"),
    JSON.stringify({
      num_rows: matrix.numRows,
      num_features: matrix.numFeatures,
      dtype: matrix.data instanceof Float32Array ? "float32" : "float64",
      categorical: matrix.categorical.map((c) => c.index),
      model_type: matrix.modelType,
    }),
  );
}

async function python(args: string[]): Promise<Record<string, any>> {
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: [
      PIPELINE,
      "--trials",
      String(TRIALS),
      "--folds",
      String(FOLDS),
      "--seed",
      String(SEED),
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`python_pipeline.py failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

const figures: Record<string, unknown> = {
  days: DAYS,
  alerts_per_day: ALERTS_PER_DAY,
  trials: TRIALS,
  folds: FOLDS,
};

Deno.bench({
  name: "risktrain: extract + buildFeatures + train (CV, search, fit) + save",
  group: "pipeline",
  baseline: true,
  n: 1,
  warmup: 0,
  async fn() {
    const started = performance.now();
    let model: TrainedModel, matrix: FeatureMatrix;
    const stages: Record<string, number> = {};
    {
      await using ch = await openClickHouse({ dataDir: DATA_DIR });
      let t = performance.now();
      const data = await extract(ch, {
        network: NETWORK,
        startDate: START,
        endDate: END,
        windowDays: 7,
      });
      stages.extract_s = (performance.now() - t) / 1000;
      t = performance.now();
      matrix = buildFeatures(data, { modelType: "alert_scorer" });
      stages.features_s = (performance.now() - t) / 1000;
      t = performance.now();
      model = await train(matrix, { trials: TRIALS, folds: FOLDS, seed: SEED });
      stages.train_s = (performance.now() - t) / 1000;
      t = performance.now();
      await save(model, { outputDir: join(OUT, "models") });
      stages.save_s = (performance.now() - t) / 1000;
    }
    stages.total_s = (performance.now() - started) / 1000;
    figures.risktrain = {
      ...stages,
      rows: matrix.numRows,
      features: matrix.numFeatures,
      labelled: model.dataStats.numSamples,
      metrics: model.metrics,
      chosen_trial: (model.details as { search: { chosen_trial: number } }).search.chosen_trial,
      rounds: model.numTrees,
    };
    if (SAME_MATRIX) await writeMatrix(matrix);
  },
});

Deno.bench({
  name: "Python: chDB + pandas (same features) + LightGBM (same folds, trials)",
  group: "pipeline",
  n: 1,
  warmup: 0,
  async fn() {
    const started = performance.now();
    const result = await python([
      "--data-dir",
      DATA_DIR,
      "--network",
      NETWORK,
      "--start-date",
      START,
      "--end-date",
      END,
      "--window-days",
      "7",
      "--model-type",
      "alert_scorer",
    ]);
    figures.python = {
      ...result,
      wall_s: (performance.now() - started) / 1000,
      history: undefined,
    };
  },
});

Deno.bench({
  name: "Python: LightGBM training on risktrain's matrix (same rows, folds, trials)",
  ignore: !SAME_MATRIX,
  group: "training only",
  n: 1,
  warmup: 0,
  async fn() {
    const started = performance.now();
    const result = await python(["--matrix-dir", MATRIX_DIR]);
    figures.python_same_matrix = {
      ...result,
      wall_s: (performance.now() - started) / 1000,
      history: undefined,
    };
  },
});

globalThis.addEventListener("unload", () => {
  Deno.writeTextFileSync(join(OUT, "result.json"), JSON.stringify(figures, null, 2));
  const r = figures.risktrain as Record<string, any> | undefined;
  const p = figures.python as Record<string, any> | undefined;
  const m = figures.python_same_matrix as Record<string, any> | undefined;
  if (!r) return;
  console.log(
    `\nrisktrain: ${r.total_s.toFixed(1)} s (extract ${r.extract_s.toFixed(1)}, features ${
      r.features_s.toFixed(1)
    }, train ${r.train_s.toFixed(1)}, save ${
      r.save_s.toFixed(2)
    }), ${r.rows} alerts, ${r.labelled} labelled, ${r.features} features, test AUC ${
      r.metrics.test_auc.toFixed(4)
    }, CV AUC ${r.metrics.cv_auc_mean.toFixed(4)}`,
  );
  if (p) {
    console.log(
      `Python pipeline: ${p.wall_s.toFixed(1)} s (load ${p.timings.load_s.toFixed(1)}, search ${
        p.timings.search_s.toFixed(1)
      }, fit ${
        p.timings.final_fit_s.toFixed(1)
      }), ${p.matrix.labelled} labelled, ${p.matrix.features} features, test AUC ${
        p.metrics.test_auc.toFixed(4)
      }, CV AUC ${p.metrics.cv_auc_mean.toFixed(4)}; risktrain/Python time ${
        (r.total_s / p.wall_s).toFixed(2)
      }`,
    );
  }
  if (m) {
    console.log(
      `Python on risktrain's matrix: ${m.wall_s.toFixed(1)} s (search ${
        m.timings.search_s.toFixed(1)
      }, fit ${m.timings.final_fit_s.toFixed(1)}), test AUC ${
        m.metrics.test_auc.toFixed(4)
      }, chosen trial ${m.chosen_trial} at ${m.rounds} rounds (risktrain: trial ${r.chosen_trial} at ${r.rounds}); risktrain train / Python train ${
        (r.train_s / (m.timings.search_s + m.timings.final_fit_s)).toFixed(2)
      }`,
    );
  }
});
