/**
 * The report of a 1M-alert model: build time and size. A model trained on 1M labelled
 * alerts of 60 days (800k training rows with out-of-fold scores, 200k test rows), 133
 * features, 20 search trials and a 1,000-round CV curve; the evaluation data is seeded
 * synthetic scores that separate the classes about as well as the demo's models, so the
 * curves, histograms and beeswarm have their real shapes and sizes.
 *
 * `deno bench -A bench/report_bench.ts` times `renderReport` (metadata and evaluation data
 * to HTML) and the evaluation artifact's decoding, and prints the sizes of the report and
 * the artifact.
 *
 * @module
 */
import { createRandom } from "../src/random.ts";
import { decodeEvaluation, encodeEvaluation } from "../src/report/evaluation_file.ts";
import { renderReport } from "../src/report/render_report.ts";
import { ModelMetadataSchema } from "../src/storage/metadata.ts";
import type { EvaluationData, ModelMetadata } from "../src/types.ts";

const ALERTS = 1_000_000, TEST = 200_000, FEATURES = 133, SHAP_ROWS = 1000;
const random = createRandom(11);
const firstDay = Date.UTC(2024, 0, 1) / 86_400_000;

function rows(n: number, fromDay: number, days: number) {
  const label = new Float32Array(n), score = new Float32Array(n), date = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = random.nextFloat() < 0.08 ? 1 : 0;
    const z = (y ? 1.6 : 0) + 1.2 * Math.sqrt(-2 * Math.log(1 - random.nextFloat())) *
        Math.cos(2 * Math.PI * random.nextFloat()) -
      2.5;
    label[i] = y;
    score[i] = 1 / (1 + Math.exp(-z));
    date[i] = fromDay + Math.floor(i * days / n);
  }
  return { label, score, date };
}

const dayText = (offset: number) =>
  new Date((firstDay + offset) * 86_400_000).toISOString().slice(0, 10);
const names = Array.from({ length: FEATURES }, (_, j) => `feature_${String(j).padStart(3, "0")}`);
const train = rows(ALERTS - TEST, firstDay, 48);
const test = rows(TEST, firstDay + 48, 12);
const meanAbs = Float64Array.from(names, (_, j) => 1 / (1 + j));
const shapValues = new Float32Array(SHAP_ROWS * 20),
  featureValues = new Float32Array(SHAP_ROWS * 20);
for (let i = 0; i < shapValues.length; i++) {
  shapValues[i] = (random.nextFloat() - 0.5) * 2 / (1 + (i % 20));
  featureValues[i] = random.nextFloat() < 0.1 ? NaN : random.nextFloat() * 100;
}
const curve = Float64Array.from({ length: 1000 }, (_, i) => 0.9 - 0.2 * Math.exp(-i / 80));
const evaluation: EvaluationData = {
  test: { ...test, group: null },
  train: { label: train.label, date: train.date, outOfFold: train.score },
  cvCurve: { metric: "auc", mean: curve, std: curve.map(() => 0.004) },
  featureChecks: { allMissing: [names[130]], constant: [names[131], names[132]] },
  shap: {
    rows: SHAP_ROWS,
    meanAbs,
    features: names.slice(0, 20),
    values: shapValues,
    featureValues,
  },
};
const history = [];
for (const [rung, rounds, trials] of [[0, 112, 20], [1, 334, 7], [2, 1000, 3]]) {
  for (let t = 0; t < trials; t++) {
    history.push({
      rung,
      rounds,
      trial: t,
      score: 0.88 + 0.01 * random.nextFloat(),
      std: 0.004,
      best_iteration: rounds,
    });
  }
}
const metadata: ModelMetadata = ModelMetadataSchema.parse({
  model_id: "bench_alert_scorer_v1",
  model_type: "alert_scorer",
  version: "1",
  timestamp: "2024-03-01T00:00:00.000Z",
  network: "bench",
  database: "risk_scoring_bench",
  window_days: 7,
  training_period: { start_date: "2024-01-01", end_date: "2024-02-29" },
  split: {
    train_start_date: "2024-01-01",
    train_end_date: "2024-02-17",
    test_start_date: "2024-02-18",
    test_end_date: "2024-02-29",
    train_rows: ALERTS - TEST,
    test_rows: TEST,
  },
  data_stats: { num_samples: ALERTS, num_features: FEATURES, positive_rate: 0.08 },
  metrics: {
    test_auc: 0.86,
    test_pr_auc: 0.41,
    test_f1: 0.45,
    cv_auc_mean: 0.87,
    cv_auc_std: 0.004,
  },
  hyperparameters: {
    objective: "binary",
    num_leaves: 63,
    learning_rate: 0.05,
    num_iterations: 1000,
  },
  feature_names: names,
  categorical_features: [],
  num_trees: 1000,
  threshold: 0.31,
  seed: 42,
  data_fingerprint: "f".repeat(16),
  config_hash: "c".repeat(64),
  lightgbm_version: "4.6.0",
  toolkit_version: "0.1.0",
  timings_ms: { total_ms: 1 },
  feature_importance: names.map((name, j) => ({ name, split: 200 - j, gain: 1e5 / (1 + j) })),
  model_file: "alert_scorer_v1_20240301_000000.txt",
  model_sha256: "0".repeat(64),
  calibration: { method: "isotonic", x: [0, 0.2, 0.5, 1], y: [0.01, 0.1, 0.4, 0.9] },
  details: {
    evaluation: {
      per_date: Array.from({ length: 12 }, (_, d) => ({
        date: dayText(48 + d),
        rows: TEST / 12,
        positives: 0.08 * TEST / 12,
        metrics: { test_auc: 0.85 + 0.002 * d, test_precision_at_budget: 0.4 + 0.01 * d },
      })),
      intervals: {
        test_auc: { low: 0.84, high: 0.875 },
        test_precision_at_budget: { low: 0.38, high: 0.5 },
      },
      method: { alert_budget: 100 },
      baseline: "the alert's own confidence score",
    },
    cv: {
      metric: "auc",
      scheme: "time",
      folds: 5,
      best_iteration: 1000,
      early_stopping_rounds: 50,
      fold_dates: Array.from({ length: 5 }, (_, f) => ({
        fit_start_date: "2024-01-01",
        fit_end_date: dayText(7 + 8 * f),
        valid_start_date: dayText(8 + 8 * f),
        valid_end_date: dayText(15 + 8 * f),
        fit_rows: 100_000 * (f + 1),
        valid_rows: 100_000,
      })),
    },
    search: { method: "successive_halving", trials: 20, chosen_trial: 2, history },
  },
});
const artifact = encodeEvaluation(evaluation);
let html = "";

Deno.bench({
  name: "renderReport, 1M alerts (200k test, 800k out-of-fold)",
  n: 3,
  warmup: 1,
  fn: () => {
    html = renderReport(metadata, evaluation);
  },
});

Deno.bench({
  name: "decodeEvaluation, 1M alerts",
  n: 3,
  warmup: 1,
  fn: () => {
    decodeEvaluation(artifact, "bench.evaluation.json.gz");
  },
});

globalThis.addEventListener("unload", () => {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
  console.log(
    `report ${mb(new TextEncoder().encode(html).length)} MB, evaluation artifact ${
      mb(artifact.length)
    } MB`,
  );
});
