/**
 * importSnapshots() on both engines: exports written in the upstream's shapes by
 * tests/support/upstream_export.ts, imported into the embedded engine and into a server
 * (the chDB HTTP harness), and a generated network round-tripped through the export.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { FEATURE_COLUMNS } from "../src/contract/contract_columns.ts";
import { extract } from "../src/extract/extract.ts";
import { buildFeatures } from "../src/features/build_features.ts";
import { generate, INPUT_TABLES } from "../src/generate/generate.ts";
import { importSnapshots } from "../src/import/import_snapshots.ts";
import { sha256 } from "../src/import/snapshot_meta.ts";
import { migrate } from "../src/schema/migrate.ts";
import { train } from "../src/train/train.ts";
import type { ClickHouse, ExtractQuery } from "../src/types.ts";
import { loadFixture } from "./fixtures/feature_fixture.ts";
import { startChdbHttpServer } from "./support/chdb_http_harness.ts";
import { ROOT, runDeno } from "./support/run_deno.ts";
import { sortedRows } from "./support/table_rows.ts";
import { DROPPED_FEATURES, exportUpstream, NEW_FEATURES } from "./support/upstream_export.ts";

/** One embedded engine per test file (chDB allows one data directory per process). */
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-import-test-" });
const ch = await openClickHouse({ dataDir });

/** The fixture network `fx` in the embedded engine, the source of the exports. */
await migrate(ch, { network: "fx" });
await loadFixture(ch, "fx");

const RANGE: ExtractQuery = {
  network: "fx",
  startDate: "2024-01-01",
  endDate: "2024-01-02",
  windowDays: 7,
};

async function count(engine: ClickHouse, sql: string, db: string): Promise<number> {
  const table = await engine.query(sql, { params: { db } });
  return Number(table.getChild("n")!.get(0));
}

/** The upstream-shaped export of `fx`; the last batch has no alerts or clusters (newer). */
async function upstreamExport(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "risktrain-upstream-" });
  const dirs = await exportUpstream(ch, { network: "fx", root, shape: "upstream" });
  const newest = dirs[dirs.length - 1];
  const meta = JSON.parse(await Deno.readTextFile(join(newest, "META.json")));
  for (const file of ["alerts.parquet", "clusters.parquet"]) {
    await Deno.remove(join(newest, file));
    delete meta.files[file];
  }
  await Deno.writeTextFile(join(newest, "META.json"), JSON.stringify(meta));
  return root;
}

async function importsUpstreamShapes(engine: ClickHouse, database: string): Promise<void> {
  const root = await upstreamExport();
  try {
    const progress: string[] = [];
    const options = {
      network: "fx",
      database,
      from: root,
      onProgress: (p: { table: string; step: number; steps: number }) =>
        progress.push(`${p.step}/${p.steps} ${p.table}`),
    };
    const result = await importSnapshots(engine, options);
    assert.equal(result.database, database);
    assert.deepEqual(
      result.batches.map((b) => [b.processingDate, b.windowDays, b.hasAlerts]),
      [["2024-01-01", 7, true], ["2024-01-02", 7, true], ["2024-01-03", 7, false]],
    );
    assert.equal(result.batches[2].rows.raw_alerts, undefined);
    assert.equal(progress.length, 4 + 4 + 2 + 1);
    assert.equal(progress.at(-1), "11/11 raw_address_labels");
    const contractOrder = (names: string[]) =>
      FEATURE_COLUMNS.map((spec) => spec.name).filter((name) => names.includes(name));
    assert.deepEqual(result.featureColumns.dropped, contractOrder(DROPPED_FEATURES));
    assert.deepEqual(result.featureColumns.added, NEW_FEATURES);

    // Extraction reads the imported batches: the dropped columns are missing, not zero, and
    // the new ones are features.
    const imported = await extract(engine, { ...RANGE, database });
    const source = await extract(ch, RANGE);
    assert.deepEqual(imported.provenance.missingFeatureColumns, contractOrder(DROPPED_FEATURES));
    for (const name of DROPPED_FEATURES) assert.equal(imported.features.getChild(name), null);
    for (const name of NEW_FEATURES) assert.ok(imported.features.getChild(name), name);
    const matrix = buildFeatures(imported, { modelType: "alert_scorer" });
    assert.ok(matrix.featureNames.includes("addr_avg_relationship_age_days"));
    assert.ok(matrix.featureNames.includes("addr_pagerank"));
    assert.ok(!matrix.featureNames.includes("addr_is_whale"));

    // Wider types, Float64 amounts, UInt8 flags and JSON-string arrays read back as the
    // contract's: the same alerts, features and flows as the source.
    const alertColumns = source.alerts.schema.fields.map((f) => f.name);
    assert.deepEqual(
      sortedRows(imported.alerts, alertColumns),
      sortedRows(source.alerts, alertColumns),
    );
    const kept = imported.features.schema.fields.map((f) => f.name).filter((name) =>
      !NEW_FEATURES.includes(name)
    );
    assert.deepEqual(sortedRows(imported.features, kept), sortedRows(source.features, kept));
    const flows = source.moneyFlows.schema.fields.map((f) => f.name);
    assert.deepEqual(sortedRows(imported.moneyFlows, flows), sortedRows(source.moneyFlows, flows));
    const indicators = "SELECT groupArray(risk_indicators) AS v FROM " +
      "(SELECT risk_indicators FROM {db:Identifier}.raw_alerts WHERE processing_date <= " +
      "'2024-01-02' AND window_days = 7 ORDER BY alert_id)";
    assert.deepEqual(
      JSON.stringify((await engine.query(indicators, { params: { db: database } })).toArray()),
      JSON.stringify((await ch.query(indicators, { params: { db: "risk_scoring_fx" } })).toArray()),
    );

    // Labels without dates: one copy per batch, stamped with the batch's date and window.
    const distinct = await count(
      ch,
      "SELECT count() AS n FROM (SELECT DISTINCT address, label FROM {db:Identifier}.raw_address_labels)",
      "risk_scoring_fx",
    );
    assert.equal(result.labelRows, distinct * 3);
    assert.equal(
      await count(
        engine,
        "SELECT count() AS n FROM {db:Identifier}.raw_address_labels WHERE window_days = 7 " +
          "AND processing_date IN ('2024-01-01', '2024-01-02', '2024-01-03')",
        database,
      ),
      distinct * 3,
    );
    assert.ok(
      await count(
        engine,
        "SELECT count() AS n FROM {db:Identifier}.raw_address_labels WHERE address_type = 'flagged'",
        database,
      ) > 0,
    );

    // Importing again replaces the batches: the same rows.
    const again = await importSnapshots(engine, options);
    assert.deepEqual(again.featureColumns, { dropped: [], added: [] });
    const twice = await extract(engine, { ...RANGE, database });
    assert.equal(twice.provenance.fingerprint, imported.provenance.fingerprint);
    assert.equal(
      await count(engine, "SELECT count() AS n FROM {db:Identifier}.raw_address_labels", database),
      distinct * 3,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("importSnapshots() reads the upstream's shapes into the embedded engine", async () => {
  await importsUpstreamShapes(ch, "risk_scoring_fx_imported");
});

Deno.test("importSnapshots() reads the upstream's shapes into a ClickHouse server", async () => {
  await using server = await startChdbHttpServer();
  await using engine = await openClickHouse({ url: server.url });
  await importsUpstreamShapes(engine, "risk_scoring_fx");
});

/** Rows per input table of `database`. */
async function tableCounts(engine: ClickHouse, database: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of INPUT_TABLES) {
    const t = await engine.query("SELECT count() AS n FROM {db:Identifier}.{table:Identifier}", {
      params: { db: database, table },
    });
    counts[table] = Number(t.getChild("n")!.get(0));
  }
  return counts;
}

Deno.test("importSnapshots() run twice at once leaves the rows of one import", async () => {
  const root = await upstreamExport();
  try {
    const options = { network: "fx", database: "risk_scoring_fx_twice", from: root };
    await importSnapshots(ch, options);
    const once = await tableCounts(ch, options.database);
    assert.ok(once.raw_alerts > 0 && once.raw_address_labels > 0);
    // Each deletes the batches' rows and inserts its own: at once, the second waits.
    await Promise.all([importSnapshots(ch, options), importSnapshots(ch, options)]);
    assert.deepEqual(await tableCounts(ch, options.database), once);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Rewrites one batch file with `select` over it and updates META.json. */
async function rewrite(dir: string, file: string, select: string): Promise<void> {
  const path = join(dir, file);
  const copy = path + ".orig";
  await Deno.rename(path, copy);
  await ch.command(
    "INSERT INTO FUNCTION file({path:String}, 'Parquet') SELECT " + select +
      " FROM file({copy:String}, 'Parquet')",
    { params: { path, copy } },
  );
  await Deno.remove(copy);
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "META.json")));
  meta.files[file].sha256 = await sha256(await Deno.readFile(path));
  await Deno.writeTextFile(join(dir, "META.json"), JSON.stringify(meta));
}

Deno.test("importSnapshots() refuses what it cannot read, before writing anything", async (t) => {
  const root = await upstreamExport();
  const first = join(root, "risk-scoring", "snapshots", "fx", "2024-01-01", "7");
  const database = "risk_scoring_fx_refused";
  const options = { network: "fx", database, from: root };
  const refuses = async (message: string | RegExp) => {
    await assert.rejects(importSnapshots(ch, options), (error: unknown) => {
      assert.ok(error instanceof RiskTrainError, String(error));
      assert.equal(error.code, "DATA_INVALID");
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });
    assert.equal(
      await count(ch, "SELECT count() AS n FROM {db:Identifier}.raw_features", database),
      0,
    );
  };
  try {
    await t.step("a labels file's column of another kind, before any row is written", async () => {
      const labels = join(root, "risk-scoring", "address-labels", "fx_address_labels.parquet");
      const copy = labels + ".orig";
      await Deno.rename(labels, copy);
      await ch.command(
        "INSERT INTO FUNCTION file({labels:String}, 'Parquet') SELECT * REPLACE " +
          "(toString(confidence_score) AS confidence_score) FROM file({copy:String}, 'Parquet')",
        { params: { labels, copy } },
      );
      await refuses(
        `Cannot read ${labels} as raw_address_labels: confidence_score is String ` +
          "(expected Float32)",
      );
      await Deno.rename(copy, labels);
    });
    await t.step(
      "a column of another kind names file, column, type found and expected",
      async () => {
        await rewrite(
          first,
          "money_flows.parquet",
          "* REPLACE (toString(unique_assets) AS unique_assets, 'x' AS tx_count)",
        );
        await refuses(
          `Cannot read ${join(first, "money_flows.parquet")} as raw_money_flows: ` +
            "tx_count is String (expected UInt64), unique_assets is String (expected UInt32)",
        );
      },
    );
    await t.step("a checksum that differs from META.json", async () => {
      const meta = JSON.parse(await Deno.readTextFile(join(first, "META.json")));
      meta.files["features.parquet"].sha256 = "0".repeat(64);
      await Deno.writeTextFile(join(first, "META.json"), JSON.stringify(meta));
      await refuses(
        /^Checksum mismatch: .*features\.parquet has SHA-256 [0-9a-f]{64} \(META\.json: 0{64}\)$/,
      );
    });
    await t.step("a row count that differs from META.json", async () => {
      const meta = JSON.parse(await Deno.readTextFile(join(first, "META.json")));
      meta.files["features.parquet"].sha256 = await sha256(
        await Deno.readFile(join(first, "features.parquet")),
      );
      meta.files["features.parquet"].rows += 1;
      await Deno.writeTextFile(join(first, "META.json"), JSON.stringify(meta));
      await refuses(/^Row count mismatch: .*features\.parquet holds \d+ rows \(META\.json: \d+\)$/);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a generated network exported and imported gives the same fingerprint and model", async () => {
  await generate(ch, { network: "rt", days: 10, alertsPerDay: 300, seed: 7 });
  const root = await Deno.makeTempDir({ prefix: "risktrain-roundtrip-" });
  await using server = await startChdbHttpServer();
  await using engine = await openClickHouse({ url: server.url });
  try {
    await exportUpstream(ch, { network: "rt", root, shape: "exact" });
    const result = await importSnapshots(engine, { network: "rt", from: root });
    assert.equal(result.batches.length, 10);
    assert.deepEqual(result.featureColumns, { dropped: [], added: [] });
    const query = { network: "rt", startDate: "2024-01-01", endDate: "2024-01-10" };
    const original = await extract(ch, query);
    const imported = await extract(engine, query);
    assert.equal(imported.provenance.fingerprint, original.provenance.fingerprint);
    // A model is trained either way (allowWeak): the point is that both are the same bytes.
    const options = {
      modelType: "alert_scorer" as const,
      trials: 0,
      folds: 2,
      seed: 3,
      allowWeak: true,
    };
    const a = await train(buildFeatures(original, { modelType: "alert_scorer" }), options);
    const b = await train(buildFeatures(imported, { modelType: "alert_scorer" }), options);
    assert.ok(a.modelText.length > 1000);
    assert.equal(b.modelText, a.modelText);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task import loads the exports and prints a line per batch", async () => {
  const work = join(ROOT, ".risktrain", "import-cli-" + crypto.randomUUID());
  const outside = await upstreamExport();
  try {
    const from = join(work, "exports");
    await Deno.mkdir(work, { recursive: true });
    await Deno.rename(outside, from);
    const run = (from: string) =>
      runDeno(["task", "-q", "import", "--network", "fx", "--from", from, "--data-dir", work]);
    const ok = await run(from);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Imported 3 batches into risk_scoring_fx in [\d.]+ s:$/m);
    assert.match(ok.stdout, /^ {2}2024-01-03\/7 {2}raw_features 1, raw_money_flows 0 \(no alerts/m);
    assert.match(ok.stdout, /The alert and cluster models need alerts/);
    assert.match(ok.stderr, /has no alerts\.parquet/);
    const elsewhere = await Deno.makeTempDir({ prefix: "risktrain-elsewhere-" });
    try {
      const refused = await run(elsewhere);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp("--allow-read=" + elsewhere));
    } finally {
      await Deno.remove(elsewhere, { recursive: true });
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("import tests close the embedded engine", async () => {
  await ch.close();
  await Deno.remove(dataDir, { recursive: true });
});
