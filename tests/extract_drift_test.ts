/**
 * The upstream's type drift at extraction (shared/DATA_CONTRACT.md, "Upstream drift"), on
 * both engines: the embedded one and a server (the chDB HTTP harness in tests/support/).
 */
import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { checkContract } from "../src/extract/check_contract.ts";
import { extract } from "../src/extract/extract.ts";
import { buildFeatures } from "../src/features/build_features.ts";
import { migrate } from "../src/schema/migrate.ts";
import type { ClickHouse, ExtractedData } from "../src/types.ts";
import { FIXTURE_QUERY, loadFixture } from "./fixtures/feature_fixture.ts";
import { startChdbHttpServer } from "./support/chdb_http_harness.ts";
import { NEW_FEATURES } from "./support/upstream_export.ts";
import { sortedRows } from "./support/table_rows.ts";

function assertSameData(actual: ExtractedData, expected: ExtractedData): void {
  for (const name of ["alerts", "features", "moneyFlows", "clusters", "labels"] as const) {
    assert.deepEqual(sortedRows(actual[name]), sortedRows(expected[name]), name + " differ");
    assert.deepEqual(
      actual[name].schema.fields.map((field) => String(field.type)),
      expected[name].schema.fields.map((field) => String(field.type)),
      name + " column types differ",
    );
  }
}

/** The fixture in `risk_scoring_<network>`, altered by `alter` (`{db:Identifier}` bound). */
async function variant(ch: ClickHouse, network: string, alter: string[]): Promise<void> {
  const { database } = await migrate(ch, { network });
  await loadFixture(ch, network);
  for (const sql of alter) await ch.command(sql, { params: { db: database } });
}

const query = (network: string) => ({ ...FIXTURE_QUERY, network });

/** Rebuilds `table` as the upstream's newer DDL: ReplacingMergeTree(_version), no created_at. */
function replacing(table: string, orderBy: string, older = ""): string[] {
  return [
    "CREATE TABLE {db:Identifier}.drift_new ENGINE = ReplacingMergeTree(_version) " +
    "ORDER BY (" + orderBy + ") AS SELECT * EXCEPT (created_at), toUInt64(2) AS _version " +
    "FROM {db:Identifier}." + table,
    // An older version of every row (with other figures where `older` says): FINAL drops it.
    "INSERT INTO {db:Identifier}.drift_new SELECT * EXCEPT (created_at) " + older +
    ", toUInt64(1) AS _version FROM {db:Identifier}." + table,
    "DROP TABLE {db:Identifier}." + table,
    "RENAME TABLE {db:Identifier}.drift_new TO {db:Identifier}." + table,
  ];
}

async function driftSteps(t: Deno.TestContext, ch: ClickHouse, engine: string): Promise<void> {
  const prefix = engine === "embedded" ? "e" : "s";
  await variant(ch, prefix + "base", []);
  const baseline = await extract(ch, query(prefix + "base"));

  await t.step(
    "money flows: UInt64 unique_assets, Array(UInt64) patterns, UInt8 flag",
    async () => {
      await variant(ch, prefix + "flows", [
        "ALTER TABLE {db:Identifier}.raw_money_flows MODIFY COLUMN unique_assets UInt64, " +
        "MODIFY COLUMN hourly_pattern Array(UInt64), MODIFY COLUMN weekly_pattern Array(UInt64)",
        "ALTER TABLE {db:Identifier}.raw_money_flows MODIFY COLUMN is_bidirectional UInt8",
      ]);
      const check = await checkContract(ch, "risk_scoring_" + prefix + "flows", "x", true);
      assert.deepEqual(
        check.casts.map((cast) => `${cast.table}.${cast.column} ${cast.found} ${cast.expected}`),
        [
          "raw_money_flows.unique_assets UInt64 UInt32",
          "raw_money_flows.hourly_pattern Array(UInt64) Array(UInt16)",
          "raw_money_flows.weekly_pattern Array(UInt64) Array(UInt16)",
          "raw_money_flows.is_bidirectional UInt8 Bool",
        ],
      );
      assertSameData(await extract(ch, query(prefix + "flows")), baseline);
    },
  );

  await t.step("features and alerts: other integer and float widths, UInt8 for Bool", async () => {
    await variant(ch, prefix + "widths", [
      "ALTER TABLE {db:Identifier}.raw_features MODIFY COLUMN degree_in Int64, " +
      "MODIFY COLUMN peak_hour UInt32, MODIFY COLUMN tx_in_count Int64, " +
      "MODIFY COLUMN pagerank Float64, MODIFY COLUMN total_in_usd Decimal(38, 10), " +
      "MODIFY COLUMN hourly_activity Array(UInt64), MODIFY COLUMN is_new_address UInt8",
      "ALTER TABLE {db:Identifier}.raw_alerts MODIFY COLUMN alert_confidence_score Float64",
      "ALTER TABLE {db:Identifier}.raw_clusters MODIFY COLUMN total_alerts UInt64",
    ]);
    const data = await extract(ch, query(prefix + "widths"));
    assertSameData(data, baseline);
    assert.equal(
      String(data.features.schema.fields.find((f) => f.name === "degree_in")?.type),
      "Uint32",
    );
  });

  await t.step("a value out of the contract type's range is an error, not wrapped", async () => {
    await variant(ch, prefix + "range", [
      "ALTER TABLE {db:Identifier}.raw_features MODIFY COLUMN degree_in Int64",
      "ALTER TABLE {db:Identifier}.raw_features UPDATE degree_in = -1 WHERE 1 " +
      "SETTINGS mutations_sync = 2",
    ]);
    await assert.rejects(extract(ch, query(prefix + "range")), /cannot be safely converted/);
  });

  await t.step("ReplacingMergeTree tables with _version are read with FINAL", async () => {
    await variant(ch, prefix + "rmt", [
      ...replacing(
        "raw_features",
        "window_days, processing_date, address",
        "REPLACE (degree_in + 100 AS degree_in)",
      ),
      ...replacing("raw_alerts", "window_days, processing_date, alert_id, typology_type"),
      ...replacing("raw_money_flows", "window_days, processing_date, from_address, to_address"),
      ...replacing("raw_clusters", "window_days, processing_date, cluster_type, cluster_id"),
      "ALTER TABLE {db:Identifier}.raw_address_labels ADD COLUMN created_timestamp UInt64, " +
      "ADD COLUMN updated_timestamp UInt64, ADD COLUMN _version UInt64",
    ]);
    const check = await checkContract(ch, "risk_scoring_" + prefix + "rmt", "x", true);
    assert.deepEqual(check.replacingTables, [
      "raw_alerts",
      "raw_features",
      "raw_clusters",
      "raw_money_flows",
    ]);
    assertSameData(await extract(ch, query(prefix + "rmt")), baseline);
  });

  await t.step(
    "the seven new upstream raw_features columns are features when present",
    async () => {
      await variant(ch, prefix + "new", [
        "ALTER TABLE {db:Identifier}.raw_features " +
        NEW_FEATURES.map((name, i) =>
          "ADD COLUMN `" + name + "` " + (i === 1 ? "UInt32" : "Float32") + " DEFAULT degree_in + 1"
        )
          .join(", "),
      ]);
      const data = await extract(ch, query(prefix + "new"));
      assert.deepEqual(data.provenance.missingFeatureColumns, []);
      const matrix = buildFeatures(data, { modelType: "alert_scorer" });
      for (const name of NEW_FEATURES) {
        assert.ok(matrix.featureNames.includes("addr_" + name), name);
        const field = data.features.schema.fields.find((f) => f.name === name);
        assert.equal(String(field?.type), "Float64");
      }
      assert.deepEqual(baseline.provenance.missingFeatureColumns, NEW_FEATURES);
    },
  );

  await t.step("a String for a number stays a clear error", async () => {
    await variant(ch, prefix + "kind", [
      "ALTER TABLE {db:Identifier}.raw_money_flows MODIFY COLUMN unique_assets String",
    ]);
    await assert.rejects(extract(ch, query(prefix + "kind")), (error: unknown) => {
      assert.ok(error instanceof RiskTrainError);
      assert.equal(error.code, "CONTRACT_VIOLATION");
      assert.equal(
        error.message,
        `Column types differ from the data contract in risk_scoring_${prefix}kind: ` +
          "raw_money_flows.unique_assets is String (expected UInt32)",
      );
      return true;
    });
  });
}

Deno.test("extract() reads the upstream's type drift on the embedded engine", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "risktrain-drift-test-" });
  try {
    await using ch = await openClickHouse({ dataDir });
    await driftSteps(t, ch, "embedded");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("extract() reads the upstream's type drift on a ClickHouse server", async (t) => {
  await using server = await startChdbHttpServer();
  await using ch = await openClickHouse({ url: server.url });
  await driftSteps(t, ch, "server");
});
