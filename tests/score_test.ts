import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { extract } from "../src/extract/extract.ts";
import { generate } from "../src/generate/generate.ts";
import { Booster } from "../src/lightgbm/booster.ts";
import { runTraining } from "../src/run_training.ts";
import { describeFeature } from "../src/contract/feature_descriptions.ts";
import { score } from "../src/notebook.ts";
import type { ScoreResult } from "../src/score/score.ts";
import { writeScores } from "../src/score/write_scores.ts";
import { latest } from "../src/storage/registry.ts";
import type {
  ClickHouse,
  ExtractedData,
  LoadedModel,
  ModelType,
  StatementOptions,
} from "../src/types.ts";
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
  const generated = await generate(ch, { network: NETWORK, days: 8, alertsPerDay: 600, seed: 3 });
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
      // The models only need to exist for scoring (a weak one is saved, marked weak).
      allowWeak: true,
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
    // Every test metric the training run saved, reproduced exactly.
    // (Not those that need the training rows: the seen/unseen-address split.)
    const saved = Object.entries(metrics).filter(([name]) =>
      name.startsWith("test_") && !/_seen$|_unseen$/.test(name)
    );
    assert.ok(saved.length >= 4, modelType);
    for (const [name, value] of saved) {
      assert.equal(result.metrics[name], value, `${modelType} ${name}`);
    }
    // And the evaluation's figures per day: precision@k of each test date.
    const perDay = modelType === "alert_ranker" ? "test_precision@10" : "test_precision_at_budget";
    assert.ok(Number.isFinite(result.metrics[perDay]), `${modelType} ${perDay}`);
    assert.ok(result.metricsPerDate.length > 0);
    for (const day of result.metricsPerDate) assert.ok(perDay in day.metrics, day.date);
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
  // Every feature of every model type has a catalogue description (none falls back to its name).
  for (const m of models.values()) {
    for (const name of m.metadata.feature_names) {
      assert.notEqual(describeFeature(name), name.replaceAll("_", " "), name);
    }
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

Deno.test("score() on parallel workers gives the reasons it gives in one realm", async () => {
  const source = await setup();
  const model = models.get("alert_scorer")!;
  const data = await extract(source, {
    network: NETWORK,
    ...range,
    windowDays: 7,
    historyDays: model.metadata.history_days,
  });
  const one = await score(model, data, { workers: 1 });
  const three = await score(model, data, { workers: 3 });
  assert.ok(one.table.numRows > 3000);
  for (const column of ["alert_id", "score", "rank", "explain"]) {
    assert.deepEqual(
      three.table.getChild(column)!.toArray(),
      one.table.getChild(column)!.toArray(),
      column,
    );
  }
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(
    score(model, data, { workers: 3, signal: abort.signal }),
    (error: unknown) => error instanceof RiskTrainError && error.code === "CANCELLED",
  );
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

const DB = "risk_scoring_" + NETWORK;

async function scoreAll(
  source: ClickHouse,
  startDate: string,
  endDate = range.endDate,
): Promise<ScoreResult[]> {
  const results: ScoreResult[] = [];
  for (const model of models.values()) {
    results.push(await score(model, { source, startDate, endDate }));
  }
  return results;
}

/** Every row of the output tables, as text, sorted (created_at and processed_at left out). */
async function outputState(source: ClickHouse): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  for (const table of ["alert_scores", "alert_rankings", "cluster_scores", "batch_metadata"]) {
    const t = await source.query(
      "SELECT * EXCEPT (created_at" + (table === "batch_metadata"
        ? ", processed_at, " +
          "latencies_ms_alert_scoring, latencies_ms_alert_ranking, latencies_ms_cluster_scoring, " +
          "latencies_ms_total"
        : "") +
        ")" + (table === "batch_metadata" ? ", toString(status) AS status_text" : "") +
        " FROM {db:Identifier}.{table:Identifier}",
      { params: { db: DB, table } },
    );
    const columns = t.schema.fields.map((_, j) => t.getChildAt(j)!);
    state[table] = Array.from(
      { length: t.numRows },
      (_, i) => columns.map((c) => String(c.get(i))).join("|"),
    ).sort();
  }
  return state;
}

/** The real engine, with a fault: the `failAt`-th INSERT into a staging table throws. */
function failingInsert(source: ClickHouse, failAt: number): ClickHouse {
  let inserts = 0;
  const fault = () => {
    if (++inserts === failAt) throw new Error("Injected fault: connection lost");
  };
  return {
    kind: source.kind,
    version: () => source.version(),
    command: (sql: string, options?: StatementOptions) => {
      if (sql.startsWith("INSERT INTO {db:Identifier}.{stage:Identifier}")) fault();
      return source.command(sql, options);
    },
    query: (sql, options) => source.query(sql, options),
    stream: (sql, options) => source.stream(sql, options),
    insert: (table, data, options) => {
      if (table.startsWith("_risktrain_stage_")) fault();
      return source.insert(table, data, options);
    },
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

Deno.test("writeScores() replaces a date's rows of the network and window: re-scoring is idempotent", async () => {
  const source = await setup();
  // Rows of another window and of another date must survive.
  await source.command(
    "INSERT INTO {db:Identifier}.alert_scores (processing_date, alert_id, score, model_version, " +
      "network, window_days) VALUES ({d:Date}, 'other-window', 0.5, 'x', {n:String}, 30), " +
      "('2024-01-01', 'other-date', 0.5, 'x', {n:String}, 7)",
    { params: { db: DB, d: range.endDate, n: NETWORK } },
  );
  const results = await scoreAll(source, "2024-01-06");
  const first = await writeScores(source, results, { network: NETWORK });
  assert.deepEqual(first.dates, ["2024-01-06", "2024-01-07", "2024-01-08"]);
  const once = await outputState(source);
  assert.equal(once.alert_scores.length, first.rows.alert_scores + 2);
  assert.equal(once.alert_rankings.length, first.rows.alert_rankings);
  assert.equal(once.cluster_scores.length, first.rows.cluster_scores);
  assert.ok(first.rows.cluster_scores > 0 && first.rows.alert_rankings > 0);
  assert.equal(once.batch_metadata.length, 3);
  assert.ok(once.batch_metadata.every((row) => row.endsWith("|COMPLETED")));
  assert.ok(once.alert_scores.some((row) => row.includes("other-window")));
  assert.ok(once.alert_scores.some((row) => row.includes("other-date")));
  await writeScores(source, await scoreAll(source, "2024-01-06"), { network: NETWORK });
  assert.deepEqual(await outputState(source), once);
  const explain = await source.query(
    "SELECT explain_json FROM {db:Identifier}.alert_scores WHERE window_days = 7 " +
      "AND network = {n:String} AND alert_id != 'other-date' LIMIT 1",
    { params: { db: DB, n: NETWORK } },
  );
  const parsed = JSON.parse(explain.getChild("explain_json")!.get(0));
  assert.equal(typeof parsed.score, "number");
  assert.equal(parsed.top_features.length, 5);
  assert.deepEqual(Object.keys(parsed.top_features[0]), [
    "feature",
    "value",
    "impact",
    "description",
  ]);
});

Deno.test("writeScores() failing or cancelled part-way leaves the previous rows, never a mix", async () => {
  const source = await setup();
  const results = await scoreAll(source, "2024-01-06");
  await writeScores(source, results, { network: NETWORK });
  const before = await outputState(source);
  // Scores of another model version for the same dates: the write fails part-way.
  const changed = results.map((r) => ({ ...r, modelVersion: r.modelVersion + "_new" }));
  for (const failAt of [2, 4, 7]) {
    await assert.rejects(
      writeScores(failingInsert(source, failAt), changed, { network: NETWORK }),
      /Injected fault/,
    );
    const after = await outputState(source);
    for (const table of ["alert_scores", "alert_rankings", "cluster_scores"]) {
      assert.deepEqual(after[table], before[table], `${table} after a fault at insert ${failAt}`);
    }
    const failed = after.batch_metadata.filter((row) => row.endsWith("|FAILED"));
    assert.equal(failed.length, 3, "one FAILED row per date");
    assert.ok(failed.every((row) => row.includes("Injected fault: connection lost")));
    assert.ok(!after.batch_metadata.some((row) => row.endsWith("|PROCESSING")));
  }
  const abort = new AbortController();
  const cancelling = failingInsert(source, 1000);
  const insert = cancelling.insert;
  cancelling.insert = (table, data, options) => {
    if (table.startsWith("_risktrain_stage_cluster")) abort.abort();
    return insert(table, data, options);
  };
  await assert.rejects(
    writeScores(cancelling, changed, { network: NETWORK, signal: abort.signal }),
    (error: unknown) => error instanceof RiskTrainError && error.code === "CANCELLED",
  );
  const cancelled = await outputState(source);
  for (const table of ["alert_scores", "alert_rankings", "cluster_scores"]) {
    assert.deepEqual(cancelled[table], before[table], `${table} after cancellation`);
  }
  const staging = await source.query(
    "SELECT count() AS n FROM system.tables WHERE database = {db:String} " +
      "AND startsWith(name, '_risktrain_stage_')",
    { params: { db: DB } },
  );
  assert.equal(Number(staging.getChild("n")!.get(0)), 0, "no staging table left");
});

/** `results` as if scored by another version of their models. */
const versioned = (results: ScoreResult[], suffix: string) =>
  results.map((r) => ({ ...r, modelVersion: r.modelVersion + suffix }));

Deno.test("writeScores() run at once on one database keep both writes' rows", async () => {
  const source = await setup();
  const early = await scoreAll(source, "2024-01-04", "2024-01-05");
  const late = await scoreAll(source, "2024-01-06");
  await writeScores(source, early, { network: NETWORK });
  await writeScores(source, late, { network: NETWORK });
  const sequential = await outputState(source);
  await writeScores(source, versioned(early, "_old"), { network: NETWORK });
  await writeScores(source, versioned(late, "_old"), { network: NETWORK });
  assert.notDeepEqual(await outputState(source), sequential);
  // Both writes rebuild the same month partitions; at once, neither loses the other's rows.
  await Promise.all([
    writeScores(source, early, { network: NETWORK }),
    writeScores(source, late, { network: NETWORK }),
  ]);
  assert.deepEqual(await outputState(source), sequential);
});

/**
 * `source` with a writer on another host: before each of the first `times` checks a write
 * makes just before its switch, `change(n)` (n = 1, 2, ...) runs on the real engine.
 */
function concurrentWriter(
  source: ClickHouse,
  times: number,
  change: (n: number) => Promise<void>,
): ClickHouse {
  let checks = 0;
  return {
    ...failingInsert(source, Infinity), // the real engine, no fault
    query: async (sql: string, options?: StatementOptions) => {
      // Each version check reads system.parts once: odd ones when copying, even ones after.
      if (sql.includes("FROM system.parts") && ++checks % 2 === 0 && checks / 2 <= times) {
        await change(checks / 2);
      }
      return source.query(sql, options);
    },
  };
}

/** A row of another network lands in alert_scores' January partition. */
const insertElsewhere = (source: ClickHouse) => (n: number) =>
  source.command(
    "INSERT INTO {db:Identifier}.alert_scores (processing_date, alert_id, score, " +
      "model_version, network, window_days) VALUES ('2024-01-02', {id:String}, 0.5, 'x', " +
      "'elsewhere', 7)",
    { params: { db: DB, id: `elsewhere-${n}` } },
  );

Deno.test("writeScores() stages again when a writer elsewhere changed its partitions", async () => {
  const source = await setup();
  const results = await scoreAll(source, "2024-01-06");
  await writeScores(source, versioned(results, "_old"), { network: NETWORK });
  await writeScores(concurrentWriter(source, 1, insertElsewhere(source)), results, {
    network: NETWORK,
  });
  const state = await outputState(source);
  assert.ok(state.alert_scores.some((row) => row.includes("elsewhere-1")), "the other's row");
  assert.ok(!state.alert_scores.some((row) => row.includes("_old")), "this write's rows");

  const before = await outputState(source);
  await assert.rejects(
    writeScores(
      concurrentWriter(source, 3, insertElsewhere(source)),
      versioned(results, "_new"),
      { network: NETWORK },
    ),
    (error: unknown) =>
      error instanceof RiskTrainError && error.code === "WRITE_CONFLICT" &&
      /changed alert_scores\/202401 of risk_scoring_sc/.test(error.message),
  );
  const after = await outputState(source);
  const others = after.alert_scores.filter((row) => !row.includes("elsewhere"));
  assert.deepEqual(others, before.alert_scores.filter((row) => !row.includes("elsewhere")));
  assert.equal(after.alert_scores.length - others.length, 4, "the other writer's rows stay");
  const failed = after.batch_metadata.filter((row) => row.endsWith("|FAILED"));
  assert.equal(failed.length, 3, "one FAILED row per date");
  assert.ok(failed.every((row) => row.includes("Another writer changed alert_scores/202401")));

  // A deletion elsewhere (a mutation: block numbers stay) is a change too: it stays deleted.
  const deleteElsewhere = () =>
    source.command("DELETE FROM {db:Identifier}.alert_scores WHERE network = 'elsewhere'", {
      params: { db: DB },
    });
  await writeScores(concurrentWriter(source, 1, deleteElsewhere), results, { network: NETWORK });
  const deleted = await outputState(source);
  assert.ok(!deleted.alert_scores.some((row) => row.includes("elsewhere")), "still deleted");
  assert.deepEqual(
    deleted.alert_scores,
    state.alert_scores.filter((r) => !r.includes("elsewhere")),
  );
});

Deno.test("writeScores() refuses a database that is not a plain identifier before anything", async () => {
  const source = await setup();
  const results = await scoreAll(source, "2024-01-08");
  const lockDir = await Deno.makeTempDir({ prefix: "risktrain-locks-" });
  await assert.rejects(
    writeScores(source, results, { network: NETWORK, database: "../../escaped", lockDir }),
    (error: unknown) =>
      error instanceof RiskTrainError && error.code === "CONFIG_INVALID" &&
      /database/.test(error.message),
  );
  assert.deepEqual([...Deno.readDirSync(lockDir)], [], "no lock file");
  await Deno.remove(lockDir);
});

Deno.test("writeScores() recording a failure keeps another writer's batch_metadata rows", async () => {
  const source = await setup();
  const results = await scoreAll(source, "2024-01-06");
  // The write fails at its first staging insert; while it stages its FAILED rows, a writer
  // elsewhere adds a batch_metadata row of its own.
  const other = () =>
    source.command(
      "INSERT INTO {db:Identifier}.batch_metadata (processing_date, processed_at, status, " +
        "network, window_days) VALUES ('2024-01-02', now(), 'COMPLETED', 'elsewhere', 7)",
      { params: { db: DB } },
    );
  await assert.rejects(
    writeScores(concurrentWriter(failingInsert(source, 1), 1, other), results, {
      network: NETWORK,
    }),
    /Injected fault/,
  );
  const after = await outputState(source);
  assert.equal(after.batch_metadata.filter((row) => row.includes("|elsewhere|")).length, 1);
  assert.equal(after.batch_metadata.filter((row) => row.endsWith("|FAILED")).length, 3);
});

Deno.test("score()'s result displays in a notebook: metrics and the highest scores first", async () => {
  const source = await setup();
  const model = models.get("alert_scorer")!;
  const { split } = model.metadata;
  const result = await score(model, {
    source,
    startDate: split.test_start_date,
    endDate: split.test_end_date,
  });
  const display = (result as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ];
  assert.equal(typeof display, "function");
  const bundle = display();
  assert.equal(
    bundle["text/plain"],
    `${result.modelVersion}: ${result.table.numRows} rows scored, ${result.labelledRows} labelled`,
  );
  const scores = result.table.getChild("score")!.toArray() as Float64Array;
  const highest = Math.max(...scores);
  const firstRow = /<tbody><tr><td>[^<]*<\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/.exec(
    bundle["text/html"],
  );
  assert.equal(firstRow?.[1], highest.toFixed(4));
  assert.match(bundle["text/html"], /<td>test_auc<\/td>/);
});

Deno.test("score() tests close the engine", async () => {
  await ch?.close();
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(outputDir, { recursive: true });
});
