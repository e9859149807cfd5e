import assert from "node:assert/strict";
import { tableFromArrays, tableFromIPC } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../src/errors.ts";
import { extract } from "../src/extract/extract.ts";
import { buildFeatures, featureCatalogue } from "../src/features/build_features.ts";
import { groupRows, percentiles, zScores } from "../src/features/group_stats.ts";
import { summarizeMatrix, writeMatrixArrow } from "../src/features/summary.ts";
import { generate } from "../src/generate/generate.ts";
import { migrate } from "../src/schema/migrate.ts";
import type { ClickHouse, ExtractedData, FeatureMatrix } from "../src/types.ts";
import { FIXTURE_QUERY, loadFixture, openFixtureEngine } from "./fixtures/feature_fixture.ts";

const QUERY = FIXTURE_QUERY;

/** One embedded engine per test file (chDB allows one data directory per process). */
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-features-test-" });

let engine: ClickHouse | undefined;
let data: ExtractedData;
let ch: ClickHouse;

async function setup(): Promise<void> {
  if (engine !== undefined) return;
  engine = ch = await openFixtureEngine(dataDir);
  data = await extract(ch, QUERY);
}

/** Feature `name` of `matrix`, one value per row. */
function feature(matrix: FeatureMatrix, name: string): number[] {
  const j = matrix.featureNames.indexOf(name);
  assert.ok(j >= 0, "feature " + name + " is missing");
  return Array.from(matrix.data.subarray(j * matrix.numRows, (j + 1) * matrix.numRows));
}

/** Asserts `actual` equals `expected` within Float32 rounding; NaN equals NaN. */
function close(actual: number[], expected: number[], name = ""): void {
  assert.equal(actual.length, expected.length, name);
  actual.forEach((value, i) => {
    const want = expected[i];
    if (Number.isNaN(want)) assert.ok(Number.isNaN(value), name + "[" + i + "] = " + value);
    else {
      assert.ok(
        Math.abs(value - want) <= 1e-6 * Math.max(1, Math.abs(want)),
        name + "[" + i + "] = " + value + ", expected " + want,
      );
    }
  });
}

async function variant(network: string, alter: string[]): Promise<ExtractedData> {
  const { database } = await migrate(ch, { network });
  await loadFixture(ch, network);
  for (const sql of alter) {
    const settings: Record<string, number> = sql.startsWith("ALTER") ? { mutations_sync: 2 } : {};
    await ch.command(sql, { params: { db: database }, settings });
  }
  return await extract(ch, { ...QUERY, network });
}

function rejectsWith(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RiskTrainError, "expected a RiskTrainError, got " + error);
    assert.equal(error.code, code);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("buildFeatures() computes the alert group exactly", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  assert.deepEqual(matrix.ids, ["a1", "a2", "a3", "a4", "a5", "a6"]);
  assert.deepEqual(matrix.addresses, ["A", "B", "C", "A", "B", "A"]);
  assert.equal(matrix.data.length, matrix.numRows * matrix.numFeatures);
  assert.ok(matrix.data instanceof Float32Array);
  close(feature(matrix, "alert_confidence"), [0.75, 0.25, 0.5, 1, 0.5, 0.875]);
  close(feature(matrix, "alert_severity"), [2, 0, 1, 3, 1, 2]);
  close(
    feature(matrix, "alert_log_volume_usd"),
    [1000, 10, 100, 5000, 0, 300].map(Math.log1p),
  );
  close(feature(matrix, "alert_evidence_count"), [2, 1, 0, 1, 0, 0]);
  close(feature(matrix, "alert_indicator_count"), [3, 0, 1, 2, 0, 0]);
  close(feature(matrix, "alert_typology"), [0, 1, 0, 0, 1, 1]);
  close(feature(matrix, "alert_suspected_address_type"), [1, 0, 1, 1, 0, 1]);
  assert.deepEqual(matrix.categorical, [
    { index: 5, name: "alert_typology", categories: ["PEEL_CHAIN", "STRUCTURING"] },
    { index: 6, name: "alert_suspected_address_type", categories: ["merchant", "wallet"] },
  ]);
  assert.deepEqual(
    Array.from(matrix.processingDates),
    [19723, 19723, 19723, 19724, 19724, 19725],
  );
});

Deno.test("buildFeatures() joins address features on (processing_date, address)", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  // a3's address C has no raw_features row: missing, not zero.
  close(feature(matrix, "addr_degree_in"), [3, 1, NaN, 4, NaN, 5]);
  close(feature(matrix, "addr_total_in_usd"), [1234.5, 0, NaN, 10, NaN, 0]);
  close(feature(matrix, "addr_is_whale"), [1, 0, NaN, 0, NaN, 0]);
  close(feature(matrix, "addr_pagerank"), [0.5, 0, NaN, 0.25, NaN, 0]);
  assert.ok(!matrix.featureNames.includes("addr_hourly_activity_entropy"));
  assert.ok(!matrix.featureNames.includes("addr_daily_activity_entropy"));
  close(feature(matrix, "addr_hourly_activity_peak_share"), [1, NaN, NaN, NaN, NaN, 1 / 24]);
  close(feature(matrix, "addr_daily_activity_peak_share"), [0.5, NaN, NaN, 1 / 7, NaN, NaN]);
  for (const excluded of ["addr_community_id", "addr_first_activity_timestamp"]) {
    assert.ok(!matrix.featureNames.includes(excluded), excluded);
  }
});

Deno.test("buildFeatures() computes network features from the SQL money-flow aggregates", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  close(feature(matrix, "flow_in_degree"), [2, 1, NaN, NaN, NaN, NaN]);
  close(feature(matrix, "flow_out_volume_usd"), [130, 50, NaN, NaN, NaN, NaN]);
  close(feature(matrix, "flow_balance"), [-0.3, 1 / 3, NaN, NaN, NaN, NaN]);
  close(feature(matrix, "flow_reciprocity"), [1 / 3, 1, NaN, NaN, NaN, NaN]);
  close(feature(matrix, "flow_alerted_volume_share"), [0.75, 1, NaN, NaN, NaN, NaN]);
});

Deno.test("buildFeatures() computes temporal features from the past only", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  close(feature(matrix, "time_address_age_days"), [11, NaN, NaN, 12, NaN, 13]);
  close(feature(matrix, "time_days_since_last_activity"), [3, NaN, NaN, 1, NaN, 1]);
  // A: a1 (Jan 1), a4 (Jan 2), a6 (Jan 3); B: a2 (Jan 1), a5 (Jan 2); C: a3.
  close(feature(matrix, "time_prior_alerts"), [0, 0, 0, 1, 1, 2]);
  close(feature(matrix, "time_prior_alert_days"), [0, 0, 0, 1, 1, 2]);
  close(feature(matrix, "time_days_since_prior_alert"), [NaN, NaN, NaN, 1, 1, 1]);
  close(feature(matrix, "time_same_day_alerts"), [0, 0, 0, 0, 0, 0]);
});

Deno.test("buildFeatures() computes z-scores and percentiles within batch and typology", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  const v = [1000, 10, 100].map(Math.log1p);
  const mean = (v[0] + v[1] + v[2]) / 3;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
  close(
    feature(matrix, "stat_volume_z_batch"),
    [(v[0] - mean) / std, (v[1] - mean) / std, (v[2] - mean) / std, 1, -1, 0],
  );
  close(feature(matrix, "stat_volume_pct_batch"), [5 / 6, 1 / 6, 3 / 6, 0.75, 0.25, 0.5]);
  close(feature(matrix, "stat_confidence_z_batch"), [
    Math.sqrt(1.5),
    -Math.sqrt(1.5),
    0,
    1,
    -1,
    0,
  ]);
  // Jan 1 PEEL_CHAIN: a1 and a3; every other typology group holds one alert.
  close(feature(matrix, "stat_volume_z_typology"), [1, 0, -1, 0, 0, 0]);
  close(feature(matrix, "stat_confidence_pct_typology"), [0.75, 0.5, 0.25, 0.5, 0.5, 0.5]);
});

Deno.test("percentiles() gives tied values their mid-rank", async () => {
  await setup();
  const groups = groupRows(Int32Array.of(0, 0, 0, 0, 1), 2);
  close(Array.from(percentiles(Float64Array.of(1, 1, 2, 1, 7), groups)), [
    0.375,
    0.375,
    0.875,
    0.375,
    0.5,
  ]);
  close(Array.from(zScores(Float64Array.of(1, 1, 1, 1, 7), groups)), [0, 0, 0, 0, 0]);
});

Deno.test("buildFeatures() gives alerts their cluster's figures", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  close(feature(matrix, "cluster_member"), [1, 0, 0, 1, 1, 0]);
  close(feature(matrix, "cluster_size"), [1, NaN, NaN, 2, 2, NaN]);
  close(feature(matrix, "cluster_severity_max"), [2, NaN, NaN, 3, 3, NaN]);
  close(feature(matrix, "cluster_span_hours"), [1, NaN, NaN, 2, 2, NaN]);
});

Deno.test("buildFeatures() labels alerts from their as-of label, weighted by confidence", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  // a1's label as of Jan 1 is "low" (the critical label is dated Jan 2): negative.
  close(Array.from(matrix.label), [0, NaN, 1, 1, NaN, 1]);
  close(Array.from(matrix.weight!), [0.9, NaN, 0.375, 0.625, NaN, 0.625]);
  assert.equal(matrix.group, null);
});

Deno.test("buildFeatures() gives the ranker grades 0..3 and one contiguous group per date", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_ranker" });
  close(Array.from(matrix.label), [0, NaN, 2, 3, NaN, 3]);
  assert.deepEqual(Array.from(matrix.group!), [0, 0, 0, 1, 1, 2]);
});

Deno.test("buildFeatures() rejects alerts that are not in extract's order", async () => {
  await setup();
  // Cluster members refer to alerts by position, so a reordered table must not pass.
  const rotate = (table: typeof data.alerts) => table.slice(4).concat(table.slice(0, 4));
  const rotated = { ...data, alerts: rotate(data.alerts), labels: rotate(data.labels) };
  rejectsWith(
    () => buildFeatures(rotated, { modelType: "alert_ranker" }),
    "DATA_INVALID",
    "The alerts are not in extract's order (processing_date, alert_id) at row 2: a1 after a6",
  );
  const misaligned = { ...data, labels: rotate(data.labels) };
  rejectsWith(
    () => buildFeatures(misaligned, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "The labels table is not in the alerts' order at row 0: a5 for a1",
  );
});

Deno.test("buildFeatures() aggregates member alerts into one row per cluster", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "cluster_scorer" });
  assert.deepEqual(matrix.ids, ["k1", "k2"]);
  assert.deepEqual(matrix.addresses, ["A", "A"]);
  // k1 = [a1] (low: negative); k2 = [a4 critical, a5 unlabelled]: positive.
  close(Array.from(matrix.label), [0, 1]);
  close(Array.from(matrix.weight!), [0.9, 0.625]);
  close(feature(matrix, "cluster_size"), [1, 2]);
  close(feature(matrix, "cluster_volume_usd"), [1000, 5000]);
  close(feature(matrix, "cluster_members_found"), [1, 2]);
  close(feature(matrix, "cluster_typologies"), [1, 2]);
  close(feature(matrix, "alert_confidence_mean"), [0.75, 0.75]);
  close(feature(matrix, "alert_confidence_max"), [0.75, 1]);
  close(feature(matrix, "alert_confidence_min"), [0.75, 0.5]);
  close(feature(matrix, "alert_confidence_std"), [0, 0.25]);
  close(feature(matrix, "alert_severity_mean"), [2, 2]);
  close(feature(matrix, "time_prior_alerts_max"), [0, 1]);
  // Address and network features come from the primary alert (a1, a4).
  close(feature(matrix, "addr_degree_in"), [3, 4]);
  close(feature(matrix, "flow_in_degree"), [2, NaN]);
  assert.deepEqual(matrix.categorical.map((c) => c.name), [
    "cluster_type",
    "alert_typology",
    "alert_suspected_address_type",
  ]);
  assert.equal(matrix.group, null);
});

Deno.test("buildFeatures() never uses label columns as features", async () => {
  await setup();
  for (const modelType of ["alert_scorer", "alert_ranker", "cluster_scorer"] as const) {
    for (const name of buildFeatures(data, { modelType }).featureNames) {
      assert.doesNotMatch(name, /risk|label|trust/, name);
      if (name.includes("address_type")) assert.equal(name, "alert_suspected_address_type");
    }
  }
  // Relabel every address (and label B): labels change, the feature values do not.
  const relabelled = await variant("relabel", [
    "ALTER TABLE {db:Identifier}.raw_address_labels UPDATE risk_level = 'critical', " +
    "confidence_score = 0.125, address_type = 'mixer', trust_level = 'official' WHERE 1",
    "INSERT INTO {db:Identifier}.raw_address_labels (processing_date, window_days, network, " +
    "address, label, risk_level) VALUES ('2023-06-01', 7, 'relabel', 'B', 'new', 'low')",
  ]);
  for (const modelType of ["alert_scorer", "alert_ranker", "cluster_scorer"] as const) {
    const before = buildFeatures(data, { modelType });
    const after = buildFeatures(relabelled, { modelType });
    assert.deepEqual(after.featureNames, before.featureNames);
    assert.deepEqual(after.data, before.data, modelType + " features changed with the labels");
    assert.notDeepEqual(Array.from(after.label), Array.from(before.label));
  }
  const after = buildFeatures(relabelled, { modelType: "alert_scorer" });
  close(Array.from(after.label), [1, 0, 1, 1, 0, 1]);
  close(Array.from(after.weight!), [0.125, 0.5, 0.125, 0.125, 0.5, 0.125]);
});

Deno.test("buildFeatures() scores with the training run's names and dictionaries", async () => {
  await setup();
  const trained = buildFeatures(data, { modelType: "alert_scorer" });
  const other = await variant("scoring", [
    "ALTER TABLE {db:Identifier}.raw_alerts UPDATE suspected_address_type = 'exchange' " +
    "WHERE alert_id = 'a1'",
    "ALTER TABLE {db:Identifier}.raw_alerts UPDATE suspected_address_type = 'aaa' " +
    "WHERE alert_id = 'a4'",
    "ALTER TABLE {db:Identifier}.raw_features DROP COLUMN pagerank",
  ]);
  const names = trained.featureNames.filter((name) => name !== "addr_pagerank").reverse();
  const scored = buildFeatures(other, {
    modelType: "alert_scorer",
    featureNames: names,
    dictionaries: trained.categorical,
  });
  assert.deepEqual(scored.featureNames, names);
  const type = scored.categorical.find((c) => c.name === "alert_suspected_address_type")!;
  assert.deepEqual(type.categories, ["merchant", "wallet"]);
  assert.equal(type.index, names.indexOf("alert_suspected_address_type"));
  // Unseen types are missing; the known ones keep their training codes.
  close(feature(scored, "alert_suspected_address_type"), [NaN, 0, 1, NaN, 0, 1]);
  close(feature(scored, "alert_typology"), feature(trained, "alert_typology"));
  close(feature(scored, "alert_confidence"), feature(trained, "alert_confidence"));
  rejectsWith(
    () =>
      buildFeatures(other, {
        modelType: "alert_scorer",
        featureNames: trained.featureNames,
        dictionaries: trained.categorical,
      }),
    "CONTRACT_VIOLATION",
    "Features of the training run missing from this data: addr_pagerank",
  );
  rejectsWith(
    () => buildFeatures(other, { modelType: "alert_scorer", featureNames: ["alert_typology"] }),
    "CONFIG_INVALID",
    "No dictionary for the categorical feature alert_typology of the training run",
  );
});

Deno.test("buildFeatures() builds Float64 matrices on request", async () => {
  await setup();
  const wide = buildFeatures(data, { modelType: "alert_scorer", dtype: "float64" });
  assert.ok(wide.data instanceof Float64Array);
  // a1's pair is address_row 0: its total_in_usd keeps every Float64 bit.
  const row = Array.from(data.features.getChild("address_row")!).indexOf(0);
  assert.equal(
    feature(wide, "addr_total_in_usd")[0],
    data.features.getChild("total_in_usd")!.get(row),
  );
});

Deno.test("buildFeatures() rejects an infinite value naming the feature", async () => {
  await setup();
  const infinite = await variant("inf", [
    "ALTER TABLE {db:Identifier}.raw_features UPDATE amount_variance = inf WHERE address = 'B'",
  ]);
  rejectsWith(
    () => buildFeatures(infinite, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "Feature addr_amount_variance (from raw_features.amount_variance) is infinite for a2: Infinity",
  );
  const overflow = await variant("overflow", [
    "ALTER TABLE {db:Identifier}.raw_features UPDATE amount_kurtosis = 1e300 WHERE address = 'B'",
  ]);
  rejectsWith(
    () => buildFeatures(overflow, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "Feature addr_amount_kurtosis (from raw_features.amount_kurtosis) is infinite for a2: 1e+300",
  );
  assert.doesNotThrow(() =>
    buildFeatures(overflow, { modelType: "alert_scorer", dtype: "float64" })
  );
});

Deno.test("buildFeatures() rejects non-numeric columns and unknown levels", async () => {
  await setup();
  const text = {
    ...data,
    moneyFlows: tableFromArrays({
      address_row: Uint32Array.of(0),
      processing_date: Int32Array.of(19723),
      address: ["A"],
      in_degree: ["two"],
    }),
  };
  rejectsWith(
    () => buildFeatures(text, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "Column money flows.in_degree is Dictionary<Int32, Utf8>, expected numbers",
  );
  const urgent = await variant("urgent", [
    "ALTER TABLE {db:Identifier}.raw_alerts UPDATE severity = 'urgent' WHERE alert_id = 'a2'",
  ]);
  rejectsWith(
    () => buildFeatures(urgent, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "Unknown value in raw_alerts.severity: 'urgent' (expected low, medium, high, critical)",
  );
  const risky = await variant("risky", [
    "ALTER TABLE {db:Identifier}.raw_address_labels UPDATE risk_level = 'HIGH' WHERE address = 'C'",
  ]);
  rejectsWith(
    () => buildFeatures(risky, { modelType: "alert_scorer" }),
    "DATA_INVALID",
    "Unknown value in raw_address_labels.risk_level: 'HIGH' (expected low, medium, high, critical)",
  );
  rejectsWith(
    () => buildFeatures(data, { modelType: "scorer" as never }),
    "CONFIG_INVALID",
    /^Invalid buildFeatures options: modelType: /,
  );
});

Deno.test("buildFeatures() documents every feature it builds in docs/FEATURES.md", async () => {
  await setup();
  const doc = await Deno.readTextFile(new URL("../docs/FEATURES.md", import.meta.url));
  for (const modelType of ["alert_scorer", "cluster_scorer"] as const) {
    for (const entry of featureCatalogue(data, modelType)) {
      const documented = entry.group === "address"
        ? doc.includes("`" + entry.name.slice("addr_".length) + "`") ||
          doc.includes("`" + entry.name + "`")
        : doc.includes("`" + entry.name + "`") ||
          doc.includes("`" + entry.name.replace(/_(mean|max|min|std)$/, "") + "`");
      assert.ok(documented, entry.name + " is not in docs/FEATURES.md");
    }
  }
});

Deno.test("summarizeMatrix() reports shape, labels, groups, missing and constant features", async () => {
  await setup();
  const summary = summarizeMatrix(buildFeatures(data, { modelType: "alert_ranker" }));
  assert.equal(summary.numRows, 6);
  assert.equal(summary.labelledRows, 4);
  assert.equal(summary.positiveRate, 3 / 4);
  assert.deepEqual(summary.gradeCounts, [1, 0, 1, 2]);
  assert.equal(summary.groups, 3);
  assert.ok(summary.constant.includes("time_same_day_alerts"));
  assert.ok(summary.constant.includes("addr_kcore"));
  assert.ok(!summary.constant.includes("alert_confidence"));
  assert.deepEqual(summary.allMissing, []);
  const clusters = summarizeMatrix(buildFeatures(data, { modelType: "cluster_scorer" }));
  assert.equal(clusters.positiveRate, 1 / 2);
  assert.equal(clusters.groups, null);
  assert.ok(clusters.allMissing.includes("flow_in_degree") === false);
});

Deno.test("writeMatrixArrow() writes the matrix as an Arrow IPC file", async () => {
  await setup();
  const matrix = buildFeatures(data, { modelType: "alert_ranker" });
  const table = tableFromIPC(writeMatrixArrow(matrix));
  assert.equal(table.numRows, 6);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    ["id", "processing_date", "label", "weight", "group", ...matrix.featureNames],
  );
  assert.deepEqual(Array.from(table.getChild("id")!), matrix.ids);
  assert.deepEqual(Array.from(table.getChild("group")!), [0, 0, 0, 1, 1, 2]);
  close(
    Array.from(table.getChild("alert_confidence")!) as number[],
    feature(matrix, "alert_confidence"),
  );
  assert.deepEqual(
    JSON.parse(table.schema.metadata.get("risktrain.categorical")!),
    matrix.categorical,
  );
  assert.equal(table.schema.metadata.get("risktrain.model_type"), "alert_ranker");
});

Deno.test("buildFeatures() builds every model type on generated data", async () => {
  await setup();
  const generated = await generate(ch, { network: "gen", days: 3, alertsPerDay: 300, seed: 42 });
  const query = { network: "gen", startDate: generated.startDate, endDate: generated.endDate };
  const extracted = await extract(ch, query);
  assert.equal(extracted.alerts.numRows, generated.rows.raw_alerts);
  assert.equal(extracted.clusters.numRows, generated.rows.raw_clusters);

  // The as-of label, computed another way: argMax over the label rows dated at or before.
  const expected = await ch.query(
    "SELECT a.alert_id AS alert_id, argMax(l.risk_level, (l.processing_date, " +
      "multiIf(l.risk_level = 'critical', 3, l.risk_level = 'high', 2, " +
      "l.risk_level = 'medium', 1, 0), l.confidence_score, l.label)) AS risk_level " +
      "FROM {db:Identifier}.raw_alerts AS a INNER JOIN {db:Identifier}.raw_address_labels " +
      "AS l ON l.address = a.address WHERE l.processing_date <= a.processing_date " +
      "AND l.network = 'gen' GROUP BY a.alert_id, a.processing_date",
    { params: { db: "risk_scoring_gen" } },
  );
  const asOf = new Map<string, string>();
  const ids = expected.getChild("alert_id")!;
  const levels = expected.getChild("risk_level")!;
  for (let i = 0; i < expected.numRows; i++) asOf.set(ids.get(i), levels.get(i));
  assert.ok(asOf.size > 0, "the generated alerts carry labels");

  const scorer = buildFeatures(extracted, { modelType: "alert_scorer" });
  const grades = { low: 0, medium: 0, high: 1, critical: 1 } as Record<string, number>;
  scorer.ids.forEach((id, i) => {
    const level = asOf.get(id);
    if (level === undefined) assert.ok(Number.isNaN(scorer.label[i]), id);
    else assert.equal(scorer.label[i], grades[level], id);
  });
  const summary = summarizeMatrix(scorer);
  assert.ok(summary.positiveRate > 0 && summary.positiveRate < 1);
  assert.deepEqual(summary.allMissing, []);
  for (const x of scorer.data) assert.ok(Number.isFinite(x) || Number.isNaN(x));

  const ranker = buildFeatures(extracted, { modelType: "alert_ranker" });
  assert.equal(summarizeMatrix(ranker).groups, 3);
  for (let i = 1; i < ranker.numRows; i++) {
    assert.ok(
      ranker.group![i] - ranker.group![i - 1] <= 1 && ranker.group![i] >= ranker.group![i - 1],
    );
    assert.equal(
      ranker.group![i] !== ranker.group![i - 1],
      ranker.processingDates[i] !== ranker.processingDates[i - 1],
    );
  }
  const clusters = buildFeatures(extracted, { modelType: "cluster_scorer" });
  assert.equal(clusters.numRows, generated.rows.raw_clusters);
  assert.ok(summarizeMatrix(clusters).labelledRows > 0);
});

/** The bytes of each row of `matrix` (every feature, column-major data gathered), by id. */
function rowBytes(matrix: FeatureMatrix): Map<string, string> {
  const rows = new Map<string, string>();
  const row = new Float64Array(matrix.numFeatures);
  for (let i = 0; i < matrix.numRows; i++) {
    for (let j = 0; j < matrix.numFeatures; j++) row[j] = matrix.data[j * matrix.numRows + i];
    rows.set(matrix.ids[i], Array.from(new Uint8Array(row.buffer), (b) => b.toString(16)).join());
  }
  return rows;
}

Deno.test("buildFeatures() gives an alert the same row whatever range it is extracted in", async () => {
  await setup();
  const generated = await generate(ch, { network: "hist", days: 6, alertsPerDay: 200, seed: 5 });
  const late = "2024-01-04";
  assert.ok(generated.startDate < late && late < generated.endDate);
  const whole = await extract(ch, {
    network: "hist",
    startDate: generated.startDate,
    endDate: generated.endDate,
  });
  const tail = await extract(ch, { network: "hist", startDate: late, endDate: generated.endDate });
  assert.equal(whole.provenance.historyDays, 30);
  for (const modelType of ["alert_scorer", "cluster_scorer"] as const) {
    const a = buildFeatures(whole, { modelType, dtype: "float64" });
    const options = { featureNames: a.featureNames, dictionaries: a.categorical };
    const b = buildFeatures(tail, { modelType, dtype: "float64", ...options });
    const wholeRows = rowBytes(a);
    let compared = 0;
    for (const [id, bytes] of rowBytes(b)) {
      assert.equal(bytes, wholeRows.get(id), modelType + " row " + id);
      compared++;
    }
    assert.ok(compared > 100, modelType + ": " + compared + " rows compared");
  }
  // The history reaches before the tail's start: some tail alerts have prior alerts there.
  const tailMatrix = buildFeatures(tail, { modelType: "alert_scorer" });
  const prior = feature(tailMatrix, "time_prior_alerts");
  const firstDay = Math.round(Date.parse(late) / 86_400_000);
  const seenBefore = prior.filter((v, i) => tailMatrix.processingDates[i] === firstDay && v > 0);
  assert.ok(seenBefore.length > 0, "alerts of the tail's first day see earlier alerts");
  // A shorter look-back counts fewer alerts, and the provenance says which one was used.
  const short = await extract(ch, {
    network: "hist",
    startDate: late,
    endDate: generated.endDate,
    historyDays: 1,
  });
  assert.equal(short.provenance.historyDays, 1);
  assert.notEqual(short.provenance.fingerprint, tail.provenance.fingerprint);
  const shortPrior = feature(
    buildFeatures(short, { modelType: "alert_scorer" }),
    "time_prior_alerts",
  );
  const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
  assert.ok(sum(shortPrior) < sum(prior));
  // Generated evidence varies (alert_evidence_count was 6 on every row).
  const evidence = new Set(feature(tailMatrix, "alert_evidence_count"));
  assert.ok(evidence.size >= 3, "evidence counts " + [...evidence].join(", "));
});

Deno.test("buildFeatures() tests close the embedded engine", async () => {
  await engine?.close();
  await Deno.remove(dataDir, { recursive: true });
});
