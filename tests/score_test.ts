import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { extract } from "../src/extract/extract.ts";
import { generate } from "../src/generate/generate.ts";
import { Booster } from "../src/lightgbm/booster.ts";
import { runTraining } from "../src/run_training.ts";
import { describeFeature } from "../src/score/feature_descriptions.ts";
import { score } from "../src/score/score.ts";
import { latest, type LoadedModel } from "../src/storage/registry.ts";
import type { ClickHouse, ExtractedData, ModelType } from "../src/types.ts";
import { readNpy, writeNpy } from "./parity/npy.ts";

const NETWORK = "sc";
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-score-test-" });
const outputDir = await Deno.makeTempDir({ prefix: "risktrain-score-models-" });

let ch: ClickHouse | undefined;
let range: { startDate: string; endDate: string };
const models = new Map<ModelType, LoadedModel>();

/** One engine, one generated network and three trained models for the whole file. */
async function setup(): Promise<ClickHouse> {
  if (ch) return ch;
  ch = await openClickHouse({ dataDir });
  const generated = await generate(ch, { network: NETWORK, days: 8, alertsPerDay: 300, seed: 3 });
  range = { startDate: generated.startDate, endDate: generated.endDate };
  for (const modelType of ["alert_scorer", "alert_ranker", "cluster_scorer"] as const) {
    await runTraining(ch, {
      network: NETWORK,
      ...range,
      modelType,
      outputDir,
      trials: 0,
      folds: 2,
      testFraction: 0.25,
    });
    models.set(modelType, await latest(modelType, { network: NETWORK, outputDir }));
  }
  return ch;
}

Deno.test("score() on the training run's test window reproduces its saved test metrics", async () => {
  const source = await setup();
  for (const modelType of ["alert_scorer", "alert_ranker", "cluster_scorer"] as const) {
    const model = models.get(modelType)!;
    const { split, metrics } = model.metadata;
    const result = await score(model, {
      source,
      startDate: split.test_start_date,
      endDate: split.test_end_date,
    });
    assert.equal(result.labelledRows, split.test_rows, modelType);
    assert.ok(result.metrics !== null);
    for (const [name, value] of Object.entries(result.metrics)) {
      if (!name.startsWith("test_")) continue;
      assert.equal(value, metrics[name], `${modelType} ${name}`);
    }
    assert.ok(Object.keys(result.metrics).length >= 4);
  }
});

Deno.test("score() returns scores, ranks and reason codes whose contributions sum to the raw score", async () => {
  const source = await setup();
  const model = models.get("alert_scorer")!;
  assert.equal(model.metadata.model_trainer, "LightGBM");
  assert.equal(model.metadata.history_days, 30);
  const result = await score(model, { source, startDate: "2024-01-07", endDate: range.endDate }, {
    topK: 3,
  });
  const { table, matrix } = result;
  assert.deepEqual(table.schema.fields.map((f) => f.name), [
    "alert_id",
    "processing_date",
    "window_days",
    "score",
    "rank",
    "model_version",
    "explain",
  ]);
  assert.equal(table.numRows, matrix.numRows);
  assert.equal(table.getChild("model_version")!.get(0), model.metadata.model_id);
  assert.equal(table.getChild("window_days")!.get(0), model.metadata.window_days);

  using booster = Booster.fromModelString(model.modelText);
  const raw = booster.predict(matrix, { type: "raw" });
  const contrib = booster.predict(matrix, { type: "contrib" });
  const width = matrix.numFeatures + 1;
  const scores = table.getChild("score")!.toArray() as Float64Array;
  const ranks = table.getChild("rank")!.toArray() as Int32Array;
  for (let r = 0; r < matrix.numRows; r++) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += contrib[r * width + j];
    assert.ok(Math.abs(sum - raw[r]) < 1e-9, `row ${r}: ${sum} vs ${raw[r]}`);
    const explain = JSON.parse(table.getChild("explain")!.get(r));
    assert.equal(explain.score, scores[r]);
    assert.equal(explain.base_value, contrib[r * width + matrix.numFeatures]);
    assert.equal(explain.top_features.length, 3);
    const impacts = explain.top_features.map((f: { impact: number }) => Math.abs(f.impact));
    assert.deepEqual([...impacts].sort((a, b) => b - a), impacts);
    for (const f of explain.top_features) {
      const j = matrix.featureNames.indexOf(f.feature);
      assert.equal(f.impact, contrib[r * width + j]);
      assert.equal(f.description, describeFeature(f.feature));
      // The largest contribution of all features is the first reason.
    }
    let largest = 0;
    for (let j = 0; j < matrix.numFeatures; j++) {
      largest = Math.max(largest, Math.abs(contrib[r * width + j]));
    }
    assert.equal(Math.abs(explain.top_features[0].impact), largest);
  }
  // Rank 1 is the highest score of its processing date; ranks are 1..n per date.
  const byDate = new Map<number, number[]>();
  matrix.processingDates.forEach((day, r) => byDate.set(day, [...(byDate.get(day) ?? []), r]));
  for (const rows of byDate.values()) {
    const sorted = [...rows].sort((a, b) => ranks[a] - ranks[b]);
    assert.deepEqual(sorted.map((r) => ranks[r]), rows.map((_, i) => i + 1));
    for (let i = 1; i < sorted.length; i++) assert.ok(scores[sorted[i - 1]] >= scores[sorted[i]]);
  }
});

Deno.test("score() contributions equal Python LightGBM's predict(pred_contrib=True) to 1e-9", async () => {
  const source = await setup();
  const dir = await Deno.makeTempDir({ prefix: "risktrain-score-parity-" });
  for (const modelType of ["alert_scorer", "cluster_scorer"] as const) {
    const model = models.get(modelType)!;
    const { matrix } = await score(model, { source, ...range });
    using booster = Booster.fromModelString(model.modelText);
    const contrib = booster.predict(matrix, { type: "contrib" });
    await writeNpy(`${dir}/x.npy`, matrix.data, [matrix.numRows, matrix.numFeatures], true);
    const script = "import sys, numpy as np, lightgbm as lgb\n" +
      "b = lgb.Booster(model_file=sys.argv[1])\n" +
      "x = np.load(sys.argv[2])\n" +
      "np.save(sys.argv[3], np.ascontiguousarray(b.predict(x, pred_contrib=True), dtype=np.float64))\n";
    const output = await new Deno.Command("python3", {
      args: ["-c", script, model.modelPath, `${dir}/x.npy`, `${dir}/contrib.npy`],
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    const python = await readNpy(`${dir}/contrib.npy`);
    assert.deepEqual(python.shape, [matrix.numRows, matrix.numFeatures + 1]);
    let worst = 0;
    for (let i = 0; i < contrib.length; i++) {
      worst = Math.max(worst, Math.abs(contrib[i] - python.values[i]));
    }
    assert.ok(worst <= 1e-9, `${modelType}: largest difference ${worst}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("score() names features missing from the data or unknown to the model", async () => {
  const source = await setup();
  const model = models.get("alert_scorer")!;
  const data: ExtractedData = await extract(source, {
    network: NETWORK,
    ...range,
    historyDays: 30,
  });
  const dropped = {
    ...data,
    features: data.features.select(
      data.features.schema.fields.map((f) => f.name).filter((name) => name !== "pagerank"),
    ),
  };
  await assert.rejects(score(model, dropped), (error: unknown) => {
    assert.ok(error instanceof RiskTrainError);
    assert.equal(error.code, "CONTRACT_VIOLATION");
    assert.match(error.message, /missing addr_pagerank/);
    return true;
  });
  const narrower = {
    ...model,
    metadata: {
      ...model.metadata,
      feature_names: model.metadata.feature_names.filter((name) => name !== "addr_kcore"),
    },
  };
  await assert.rejects(score(narrower, data), /not in the model addr_kcore/);
  const otherWindow = { ...data, provenance: { ...data.provenance, historyDays: 7 } };
  await assert.rejects(score(model, otherWindow), /historyDays 7, model 30/);
});

Deno.test("score() tests close the engine", async () => {
  await ch?.close();
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(outputDir, { recursive: true });
});
