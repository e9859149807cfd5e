import assert from "node:assert/strict";
import type { Table } from "npm:apache-arrow@21.2.0";
import { CancelledError, RiskTrainError } from "../src/errors.ts";
import { extract } from "../src/extract/extract.ts";
import { ExtractQuerySchema } from "../src/extract/extract_query.ts";
import { migrate } from "../src/schema/migrate.ts";
import type { ClickHouse } from "../src/types.ts";
import {
  FIXTURE_DATABASE,
  FIXTURE_QUERY,
  loadFixture,
  openFixtureEngine,
} from "./fixtures/feature_fixture.ts";
import { NEW_FEATURES } from "./support/upstream_export.ts";

const QUERY = FIXTURE_QUERY;

/** The raw_features columns a later upstream version adds (not in schema/, nor the fixture). */
const NEW_UPSTREAM_COLUMNS = NEW_FEATURES;

/** One embedded engine per test file (chDB allows one data directory per process). */
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-extract-test-" });

let engine: ClickHouse | undefined;
let ch: ClickHouse;

async function setup(): Promise<void> {
  if (engine !== undefined) return;
  engine = ch = await openFixtureEngine(dataDir);
}

/** Column `name` of `table` as plain values. */
function column(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  assert.ok(vector, "column " + name + " is missing");
  return Array.from({ length: table.numRows }, (_, i) => {
    const value = vector.get(i);
    return typeof value === "object" && value !== null && "toArray" in value
      ? Array.from(value as Iterable<unknown>)
      : value;
  });
}

/** The row of `table` whose `key` column equals `value`, as an object. */
function row(table: Table, key: string, value: unknown): Record<string, unknown> {
  const index = column(table, key).indexOf(value);
  assert.ok(index >= 0, key + " " + String(value) + " not found");
  return table.get(index)!.toJSON() as Record<string, unknown>;
}

function day(date: string): number {
  return Date.parse(date + "T00:00:00Z");
}

async function rejects(
  promise: Promise<unknown>,
  code: string,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RiskTrainError, "expected a RiskTrainError, got " + error);
    assert.equal(error.code, code);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** A migrated copy of the fixture in `risk_scoring_<network>`, altered by `alter`. */
async function variant(network: string, alter: string[]): Promise<void> {
  const { database } = await migrate(ch, { network });
  await loadFixture(ch, network);
  for (const sql of alter) await ch.command(sql, { params: { db: database } });
}

Deno.test("extract() returns the window's alerts with USD as Float64 and counts in SQL", async () => {
  await setup();
  const data = await extract(ch, QUERY);
  const { alerts } = data;
  assert.deepEqual(column(alerts, "alert_id"), ["a1", "a2", "a3", "a4", "a5", "a6"]);
  assert.deepEqual(column(alerts, "window_days"), [7, 7, 7, 7, 7, 7]);
  assert.deepEqual(column(alerts, "processing_date"), [
    day("2024-01-01"),
    day("2024-01-01"),
    day("2024-01-01"),
    day("2024-01-02"),
    day("2024-01-02"),
    day("2024-01-03"),
  ]);
  assert.equal(String(alerts.getChild("volume_usd")!.type), "Float64");
  assert.deepEqual(column(alerts, "volume_usd"), [1000, 10, 100, 5000, 0, 300]);
  assert.deepEqual(column(alerts, "evidence_count"), [2, 1, 0, 1, 0, 0]);
  assert.deepEqual(column(alerts, "indicator_count"), [3, 0, 1, 2, 0, 0]);
  assert.deepEqual(column(alerts, "severity"), [
    "high",
    "low",
    "medium",
    "critical",
    "medium",
    "high",
  ]);
  assert.deepEqual(data.provenance, {
    network: "fx",
    database: FIXTURE_DATABASE,
    startDate: "2024-01-01",
    endDate: "2024-01-03",
    windowDays: 7,
    historyDays: 30,
    fingerprint: data.provenance.fingerprint,
    missingFeatureColumns: NEW_UPSTREAM_COLUMNS,
  });
  assert.match(data.provenance.fingerprint, /^[0-9a-f]{64}$/);
  // The fixture's schema is the contract's: only the seven later upstream columns are absent.
});

Deno.test("extract() takes each alert's label as of its processing_date, never a later one", async () => {
  await setup();
  const { labels, alerts } = await extract(ch, QUERY);
  assert.deepEqual(column(labels, "alert_id"), column(alerts, "alert_id"));
  // a1 (Jan 1): A's critical label is dated Jan 2, so the Dec 31 "low" label applies.
  assert.deepEqual(column(labels, "label_risk_level"), [
    "low",
    "",
    "high",
    "critical",
    "",
    "critical",
  ]);
  assert.deepEqual(column(labels, "label_found"), [1, 0, 1, 1, 0, 1]);
  assert.deepEqual(column(labels, "label_processing_date"), [
    day("2023-12-31"),
    0,
    day("2024-01-01"),
    day("2024-01-02"),
    0,
    day("2024-01-02"),
  ]);
  assert.deepEqual(column(labels, "label_confidence_score"), [
    Math.fround(0.9),
    0,
    0.375,
    0.625,
    0,
    0.625,
  ]);
});

Deno.test("extract() reads raw_features of alerted addresses with the 2^53 counter rule", async () => {
  await setup();
  const { features } = await extract(ch, QUERY);
  // One row per alerted (processing_date, address), numbered by address_row; NULL where the
  // pair has no raw_features row (C on Jan 1, B on Jan 2).
  const order = (column(features, "address_row") as number[]).map((_, i) => i)
    .sort((a, b) =>
      (features.get(a)!.address_row as number) - (features.get(b)!.address_row as number)
    );
  const sorted = (name: string) => order.map((i) => features.getChild(name)!.get(i));
  assert.deepEqual(sorted("address_row"), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(sorted("address"), ["A", "B", "C", "A", "B", "A"]);
  assert.deepEqual(sorted("degree_in"), [3, 1, null, 4, null, 5]);
  const a1 = row(features, "degree_in", 3);
  assert.equal(a1.tx_in_count, 2 ** 53); // UInt64 2^53 + 1 rounds to the nearest double
  assert.ok(Math.abs((a1.total_in_usd as number) - 1234.5) < 1e-9);
  assert.equal(a1.is_whale, 1);
  assert.equal(a1.first_activity_timestamp, day("2023-12-22"));
  assert.equal(a1.hourly_activity_peak_share, 1);
  assert.equal(a1.daily_activity_peak_share, 0.5);
  const a2 = row(features, "degree_in", 4);
  assert.ok(Number.isNaN(a2.hourly_activity_peak_share));
  assert.equal(a2.daily_activity_peak_share, 1 / 7);
  for (
    const name of [
      "community_id",
      "dominant_asset_in",
      "hourly_activity",
      "hourly_activity_entropy",
      "daily_activity_entropy",
      "created_at",
    ]
  ) {
    assert.equal(features.getChild(name), null, name + " is not read");
  }
});

Deno.test("extract() aggregates money flows per alerted address in SQL", async () => {
  await setup();
  const { moneyFlows } = await extract(ch, QUERY);
  const byRow = new Map(
    (column(moneyFlows, "address_row") as number[]).map((pair, i) => [pair, i]),
  );
  const at = (name: string) =>
    [0, 1, 2, 3, 4, 5].map((pair) => moneyFlows.getChild(name)!.get(byRow.get(pair)!));
  assert.deepEqual(at("address"), ["A", "B", "C", "A", "B", "A"]);
  assert.deepEqual(at("in_degree"), [2, 1, null, null, null, null]);
  assert.deepEqual(row(moneyFlows, "address", "A"), {
    address_row: 0,
    processing_date: day("2024-01-01"),
    address: "A",
    in_degree: 2,
    out_degree: 2,
    counterparties: 3,
    reciprocal_counterparties: 1,
    in_volume_usd: 70,
    out_volume_usd: 130,
    in_tx_count: 5,
    out_tx_count: 3,
    alerted_counterparties: 1,
    alerted_volume_usd: 150,
    balance: -0.3,
    reciprocity: 1 / 3,
    alerted_volume_share: 0.75,
  });
  const b = row(moneyFlows, "address", "B");
  assert.equal(b.balance, 1 / 3);
  assert.equal(b.reciprocity, 1);
  assert.equal(b.alerted_volume_share, 1);
});

Deno.test("extract() reads clusters with member alerts falling back to the primary alert", async () => {
  await setup();
  const { clusters, alerts } = await extract(ch, QUERY);
  assert.deepEqual(column(clusters, "cluster_id"), ["k1", "k2"]);
  // Member alerts as positions in the alerts table: k1 = [a1] (its primary), k2 = [a4, a5].
  assert.deepEqual(column(alerts, "alert_id"), ["a1", "a2", "a3", "a4", "a5", "a6"]);
  assert.deepEqual(column(clusters, "member_alert_rows"), [[0], [3, 4]]);
  assert.deepEqual(column(clusters, "representative_alert_row"), [0n, 3n]);
  assert.deepEqual(column(clusters, "total_volume_usd"), [1000, 5000]);
  assert.deepEqual(column(clusters, "addresses_involved_count"), [1, 2]);
});

Deno.test("extract() numbers alert pairs and counts earlier alerts of the address in SQL", async () => {
  await setup();
  const { alerts } = await extract(ch, QUERY);
  // a1 A Jan 1, a2 B Jan 1, a3 C Jan 1, a4 A Jan 2, a5 B Jan 2, a6 A Jan 3.
  assert.deepEqual(column(alerts, "address_row"), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(column(alerts, "prior_alerts"), [0, 0, 0, 1, 1, 2]);
  assert.deepEqual(column(alerts, "prior_alert_days"), [0, 0, 0, 1, 1, 2]);
  const since = column(alerts, "days_since_prior_alert") as number[];
  assert.ok(since.slice(0, 3).every(Number.isNaN));
  assert.deepEqual(since.slice(3), [1, 1, 1]);
  assert.deepEqual(column(alerts, "same_day_alerts"), [0, 0, 0, 0, 0, 0]);
});

Deno.test("extract() draws the same seeded sample for the same seed", async () => {
  await setup();
  const first = await extract(ch, { ...QUERY, limit: 3, seed: 7 });
  const again = await extract(ch, { ...QUERY, limit: 3, seed: 7 });
  assert.equal(first.alerts.numRows, 3);
  assert.deepEqual(column(first.alerts, "alert_id"), column(again.alerts, "alert_id"));
  assert.deepEqual(column(first.labels, "alert_id"), column(first.alerts, "alert_id"));
  assert.equal(first.provenance.fingerprint, again.provenance.fingerprint);
  const full = await extract(ch, QUERY);
  assert.notEqual(first.provenance.fingerprint, full.provenance.fingerprint);
  const sampled = new Set(column(first.alerts, "address"));
  assert.deepEqual(new Set(column(first.features, "address")), sampled);
  // Only clusters with a sampled member alert are kept, and they point at sampled rows.
  for (const rows of column(first.clusters, "member_alert_rows") as number[][]) {
    assert.ok(rows.length > 0 && rows.every((row) => row < 3));
  }
});

Deno.test("extract() fingerprints the data: same rows same hash, a changed row another", async () => {
  await setup();
  await variant("fpa", []);
  const query = { ...QUERY, network: "fpa" };
  const before = (await extract(ch, query)).provenance.fingerprint;
  assert.equal((await extract(ch, query)).provenance.fingerprint, before);
  await ch.command(
    "ALTER TABLE {db:Identifier}.raw_money_flows UPDATE tx_count = 3 WHERE tx_count = 4 " +
      "SETTINGS mutations_sync = 2",
    { params: { db: "risk_scoring_fpa" } },
  );
  assert.notEqual((await extract(ch, query)).provenance.fingerprint, before);
});

Deno.test("extract() reports progress in rows and bytes", async () => {
  await setup();
  const seen: { table: string; rows: number; bytes: number }[] = [];
  const data = await extract(ch, QUERY, { onProgress: (progress) => seen.push(progress) });
  assert.deepEqual(
    new Set(seen.map((p) => p.table)),
    new Set(["alerts", "features", "moneyFlows", "clusters"]),
  );
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].rows >= seen[i - 1].rows && seen[i].bytes > seen[i - 1].bytes);
  }
  const total = data.alerts.numRows + data.features.numRows + data.moneyFlows.numRows +
    data.clusters.numRows;
  assert.equal(seen.at(-1)!.rows, total);
});

Deno.test("extract() stops with CancelledError when its signal aborts", async () => {
  await setup();
  const before = new AbortController();
  before.abort();
  await assert.rejects(extract(ch, QUERY, { signal: before.signal }), CancelledError);
  const during = new AbortController();
  let batches = 0;
  await assert.rejects(
    extract(ch, QUERY, {
      signal: during.signal,
      onProgress: () => {
        batches++;
        during.abort();
      },
    }),
    CancelledError,
  );
  assert.equal(batches, 1);
});

Deno.test("extract() rejects an invalid query", async () => {
  await setup();
  await rejects(
    extract(ch, { ...QUERY, startDate: "2024-02-01", endDate: "2024-01-01" }),
    "CONFIG_INVALID",
    "Invalid extract query: endDate: startDate must not be after endDate",
  );
  await rejects(
    extract(ch, { ...QUERY, network: "Torus" }),
    "CONFIG_INVALID",
    "Invalid extract query: network: Expected a lowercase network identifier such as torus",
  );
  await rejects(
    extract(ch, { ...QUERY, startDate: "2024-02-30", endDate: "2024-03-31" }),
    "CONFIG_INVALID",
    "Invalid extract query: startDate: Expected a calendar date as YYYY-MM-DD",
  );
  assert.equal(ExtractQuerySchema.safeParse({ ...QUERY, windowDays: 0 }).success, false);
});

Deno.test("extract() rejects an unknown network or database", async () => {
  await setup();
  await rejects(
    extract(ch, { ...QUERY, network: "nope" }),
    "DATABASE_NOT_FOUND",
    /^Unknown network: nope \(database risk_scoring_nope does not exist; networks found: .*\bfx\b/,
  );
  await rejects(
    extract(ch, { ...QUERY, database: "no_such_db" }),
    "DATABASE_NOT_FOUND",
    "Database not found: no_such_db",
  );
});

Deno.test("extract() rejects a database that lacks input tables", async () => {
  await setup();
  await variant("parts", [
    "DROP TABLE {db:Identifier}.raw_clusters",
    "DROP TABLE {db:Identifier}.raw_money_flows",
  ]);
  await rejects(
    extract(ch, { ...QUERY, network: "parts" }),
    "TABLE_NOT_FOUND",
    "Tables missing in risk_scoring_parts: raw_clusters, raw_money_flows",
  );
  await ch.command("CREATE DATABASE IF NOT EXISTS risk_scoring_bare");
  await rejects(
    extract(ch, { ...QUERY, network: "bare" }),
    "TABLE_NOT_FOUND",
    "Tables missing in risk_scoring_bare: raw_alerts, raw_features, raw_clusters, " +
      "raw_money_flows, raw_address_labels",
  );
});

Deno.test("extract() rejects an empty date range", async () => {
  await setup();
  await rejects(
    extract(ch, { ...QUERY, startDate: "2024-03-01", endDate: "2024-03-31" }),
    "NO_DATA",
    "No alerts found for fx between 2024-03-01 and 2024-03-31 at window 7",
  );
  await rejects(
    extract(ch, { network: "fx", startDate: "2024-03-01", endDate: "2024-03-31" }),
    "NO_DATA",
    "No alerts found for fx between 2024-03-01 and 2024-03-31",
  );
  await rejects(
    extract(ch, { ...QUERY, windowDays: 90 }),
    "NO_DATA",
    "No alerts found for fx between 2024-01-01 and 2024-01-03 at window 90 " +
      "(windows in the range: 7, 30)",
  );
});

Deno.test("extract() asks for a window when the range holds several", async () => {
  await setup();
  await rejects(
    extract(ch, { network: "fx", startDate: "2024-01-01", endDate: "2024-01-03" }),
    "CONFIG_INVALID",
    "The range holds several windows, choose one with windowDays: 7, 30 " +
      "(alerts for fx between 2024-01-01 and 2024-01-03)",
  );
  const single = await extract(ch, {
    network: "fx",
    startDate: "2024-01-02",
    endDate: "2024-01-03",
  });
  assert.equal(single.provenance.windowDays, 7);
});

Deno.test("extract() lists the contract columns that are missing", async () => {
  await setup();
  await variant("cols", [
    "ALTER TABLE {db:Identifier}.raw_alerts DROP COLUMN severity",
    "ALTER TABLE {db:Identifier}.raw_address_labels DROP COLUMN risk_level",
    "ALTER TABLE {db:Identifier}.raw_features DROP COLUMN pagerank",
  ]);
  await rejects(
    extract(ch, { ...QUERY, network: "cols" }),
    "CONTRACT_VIOLATION",
    "Columns of the data contract missing in risk_scoring_cols: raw_alerts.severity, " +
      "raw_address_labels.risk_level",
  );
});

Deno.test("extract() trains on the optional raw_features columns present and names the rest", async () => {
  await setup();
  await variant("older", [
    "ALTER TABLE {db:Identifier}.raw_features DROP COLUMN pagerank, DROP COLUMN is_whale, " +
    "DROP COLUMN hourly_activity",
  ]);
  const data = await extract(ch, { ...QUERY, network: "older" });
  assert.deepEqual(data.provenance.missingFeatureColumns, [
    "pagerank",
    "hourly_activity",
    "is_whale",
    ...NEW_UPSTREAM_COLUMNS,
  ]);
  for (const name of ["pagerank", "is_whale", "hourly_activity_peak_share"]) {
    assert.equal(data.features.getChild(name), null);
  }
  assert.ok(data.features.getChild("daily_activity_peak_share"));
  assert.equal(data.features.numRows, 6);
});

Deno.test("extract() rejects columns whose type is of another kind than the contract's", async () => {
  await setup();
  await variant("types", [
    "ALTER TABLE {db:Identifier}.raw_alerts MODIFY COLUMN alert_confidence_score String",
    "ALTER TABLE {db:Identifier}.raw_features MODIFY COLUMN pagerank String",
    "ALTER TABLE {db:Identifier}.raw_money_flows MODIFY COLUMN tx_count Float64",
  ]);
  await rejects(
    extract(ch, { ...QUERY, network: "types" }),
    "CONTRACT_VIOLATION",
    "Column types differ from the data contract in risk_scoring_types: " +
      "raw_alerts.alert_confidence_score is String (expected Float32), " +
      "raw_money_flows.tx_count is Float64 (expected UInt64), " +
      "raw_features.pagerank is String (expected Float32)",
  );
});

Deno.test("extract() tests close the embedded engine", async () => {
  await engine?.close();
  await Deno.remove(dataDir, { recursive: true });
});
