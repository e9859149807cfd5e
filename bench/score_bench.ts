/**
 * Scoring at scale: risktrain's `score` (extract, buildFeatures with the training run's
 * names and dictionaries, LightGBM prediction and TreeSHAP reason codes, explain_json) and
 * `writeScores` (staged partitions switched into alert_scores and batch_metadata), next to
 * Python LightGBM (`predict` and `predict(pred_contrib=True)`, then the top 5 reasons with
 * numpy and json) scoring the same matrix, in the same run.
 *
 * The model is an alert_scorer trained (default hyperparameters, 2 folds) on a seeded
 * sample of 20,000 alerts of the first week; the range scored is the whole generated
 * network. Scale from the environment: BENCH_DAYS (default 30) x BENCH_ALERTS_PER_DAY
 * (default 3,334: about 100k alerts; the 1M is BENCH_DAYS=90
 * BENCH_ALERTS_PER_DAY=11112). Data and model are kept in bench/.out/score_bench/ and reused
 * while the scale is unchanged; the figures go to bench/.out/score_bench/result.json and the
 * console. Run with `deno bench -A bench/score_bench.ts` (needs python3 with lightgbm 4.6.0
 * and numpy).
 *
 * @module
 */
import { join } from "node:path";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { extract } from "../src/extract/extract.ts";
import { buildFeatures } from "../src/features/build_features.ts";
import { score } from "../src/score_model.ts";
import { writeScores } from "../src/score/write_scores.ts";
import { load } from "../src/storage/registry.ts";
import { save } from "../src/notebook.ts";
import { train } from "../src/train/train.ts";
import { writeNpy } from "../tests/parity/npy.ts";
import { BENCH_NETWORK, generatedNetwork } from "./_generated_network.ts";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const DAYS = env("BENCH_DAYS", 30);
const ALERTS_PER_DAY = env("BENCH_ALERTS_PER_DAY", 3_334);
const { network: NETWORK, seed: SEED, startDate: START } = BENCH_NETWORK;
const day = (offset: number) =>
  new Date(Date.parse(START) + offset * 86_400_000).toISOString().slice(0, 10);
const END = day(DAYS - 1);
const OUT = new URL("./.out/score_bench/", import.meta.url).pathname;
const DATA_DIR = join(OUT, "chdb");
const seconds = (since: number) => (performance.now() - since) / 1000;

const { model: modelPath } = await generatedNetwork(OUT, {
  dataDir: DATA_DIR,
  days: DAYS,
  alertsPerDay: ALERTS_PER_DAY,
}, async () => {
  await using ch = await openClickHouse({ dataDir: DATA_DIR });
  const data = await extract(ch, {
    network: NETWORK,
    startDate: START,
    endDate: day(Math.min(6, DAYS - 1)),
    windowDays: 7,
    limit: 20_000,
  });
  const model = await train(buildFeatures(data, { modelType: "alert_scorer" }), {
    trials: 0,
    folds: 2,
    seed: SEED,
  });
  const saved = await save(model, { outputDir: join(OUT, "models") });
  return { model: saved.modelPath };
});
const model = await load(modelPath);
const figures: Record<string, unknown> = { days: DAYS, alerts_per_day: ALERTS_PER_DAY };
const MATRIX = join(OUT, "matrix.npy");

const PYTHON = `
import json, sys, time
import numpy as np, lightgbm as lgb
booster = lgb.Booster(model_file=sys.argv[1])
names = booster.feature_name()
x = np.load(sys.argv[2])
t = time.perf_counter(); p = booster.predict(x); predict_s = time.perf_counter() - t
t = time.perf_counter(); c = booster.predict(x, pred_contrib=True); contrib_s = time.perf_counter() - t
t = time.perf_counter()
shap = c[:, :-1]
top = np.argsort(-np.abs(shap), axis=1, kind="stable")[:, :5]
explain = [json.dumps({"score": float(p[i]), "base_value": float(c[i, -1]), "top_features": [
    {"feature": names[j], "value": None if np.isnan(x[i, j]) else float(x[i, j]),
     "impact": float(shap[i, j])} for j in top[i]]}) for i in range(len(p))]
explain_s = time.perf_counter() - t
print(json.dumps({"rows": len(p), "predict_s": predict_s, "contrib_s": contrib_s,
                  "explain_s": explain_s, "total_s": predict_s + contrib_s + explain_s}))
`;

Deno.bench({
  name: "risktrain: extract + features + predict with reason codes + write",
  group: "scoring",
  baseline: true,
  n: 1,
  warmup: 0,
  async fn() {
    await using ch = await openClickHouse({ dataDir: DATA_DIR });
    const started = performance.now();
    let t = performance.now();
    const data = await extract(ch, {
      network: NETWORK,
      startDate: START,
      endDate: END,
      windowDays: 7,
      historyDays: model.metadata.history_days,
    });
    const extract_s = seconds(t);
    const result = await score(model, data, { bootstrapSamples: 20 });
    t = performance.now();
    const written = await writeScores(ch, [result], { network: NETWORK });
    const write_s = seconds(t);
    const { features_ms, predict_ms, explain_ms } = result.timingsMs;
    figures.risktrain = {
      rows: result.table.numRows,
      features: result.matrix.numFeatures,
      trees: model.metadata.num_trees,
      extract_s,
      features_s: features_ms / 1000,
      predict_s: predict_ms / 1000,
      contrib_and_explain_s: explain_ms / 1000,
      write_s,
      total_s: seconds(started),
      written: written.rows,
    };
    const { matrix } = result;
    await writeNpy(MATRIX, matrix.data, [matrix.numRows, matrix.numFeatures], true);
  },
});

Deno.bench({
  name: "Python LightGBM: predict + pred_contrib + top-5 reasons on the same matrix",
  group: "scoring",
  n: 1,
  warmup: 0,
  async fn() {
    const { code, stdout, stderr } = await new Deno.Command("python3", {
      args: ["-c", PYTHON, model.modelPath, MATRIX],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
    figures.python = JSON.parse(new TextDecoder().decode(stdout));
    const r = figures.risktrain as Record<string, number>;
    const p = figures.python as Record<string, number>;
    figures.ratio_predict_with_reasons = (r.predict_s + r.contrib_and_explain_s) / p.total_s;
    await Deno.writeTextFile(join(OUT, "result.json"), JSON.stringify(figures, null, 2));
    console.log(JSON.stringify(figures, null, 2));
  },
});
