/**
 * Reading the upstream's ReplacingMergeTree(_version) tables: extract() on a generated
 * network as MergeTree (the contract's DDL) next to the same rows as ReplacingMergeTree
 * with two versions of every row in separate parts (the worst case before background
 * merges), which extract() reads with FINAL; and, for raw_features alone, FINAL next to the
 * alternative, an argMax by `_version` of every column grouped by the sorting key.
 *
 * Run with `deno bench -A bench/replacing_bench.ts` (embedded engine, one process).
 *
 * @module
 */
import { openClickHouse } from "../src/clickhouse/open.ts";
import { extract } from "../src/extract/extract.ts";
import { generate } from "../src/generate/generate.ts";

const DAYS = 30;
const ALERTS_PER_DAY = 4000;
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-replacing-bench-" });
const ch = await openClickHouse({ dataDir });
const result = await generate(ch, {
  network: "plain",
  days: DAYS,
  alertsPerDay: ALERTS_PER_DAY,
  seed: 1,
});
await ch.command("CREATE DATABASE risk_scoring_versioned");
const KEYS: Record<string, string> = {
  raw_alerts: "window_days, processing_date, alert_id, typology_type",
  raw_features: "window_days, processing_date, address",
  raw_clusters: "window_days, processing_date, cluster_type, cluster_id",
  raw_money_flows: "window_days, processing_date, from_address, to_address",
};
for (const [table, key] of Object.entries(KEYS)) {
  // Bench code over the toolkit's own table names: no user input in this SQL.
  await ch.command(
    "CREATE TABLE risk_scoring_versioned." + table + " ENGINE = ReplacingMergeTree(_version) " +
      "ORDER BY (" + key + ") AS SELECT * EXCEPT (created_at), toUInt64(1) AS _version " +
      "FROM risk_scoring_plain." + table,
  );
  await ch.command(
    "INSERT INTO risk_scoring_versioned." + table + " SELECT * EXCEPT (created_at), " +
      "toUInt64(2) AS _version FROM risk_scoring_plain." + table,
  );
}
await ch.command(
  "CREATE TABLE risk_scoring_versioned.raw_address_labels AS risk_scoring_plain.raw_address_labels",
);
await ch.command(
  "INSERT INTO risk_scoring_versioned.raw_address_labels " +
    "SELECT * FROM risk_scoring_plain.raw_address_labels",
);
const columns = await ch.query(
  "SELECT name FROM system.columns WHERE database = 'risk_scoring_versioned' " +
    "AND table = 'raw_features' AND name NOT IN ('window_days', 'processing_date', 'address', " +
    "'_version') ORDER BY position",
);
const argMaxes = Array.from(
  columns.getChild("name")!,
  (name) => "argMax(`" + name + "`, _version) AS `" + name + "`",
).join(", ");
const range = { start: result.startDate, end: result.endDate };
const query = (network: string) => ({
  network,
  startDate: result.startDate,
  endDate: result.endDate,
  windowDays: 7,
});
console.log(
  `${result.rows.raw_alerts} alerts, ${result.rows.raw_features} raw_features rows ` +
    `(x2 versions in the ReplacingMergeTree copy)`,
);

Deno.bench("extract(): MergeTree (contract DDL)", {
  group: "extract",
  baseline: true,
  n: 3,
  warmup: 1,
}, async () => {
  await extract(ch, query("plain"));
});
Deno.bench("extract(): ReplacingMergeTree, 2 versions, FINAL", {
  group: "extract",
  n: 3,
  warmup: 1,
}, async () => {
  await extract(ch, query("versioned"));
});
Deno.bench(
  "raw_features: FINAL",
  { group: "dedupe", baseline: true, n: 3, warmup: 1 },
  async () => {
    await ch.query(
      "SELECT count() AS n, sum(cityHash64(*)) AS h FROM (SELECT * FROM " +
        "risk_scoring_versioned.raw_features FINAL WHERE processing_date BETWEEN {start:Date} AND {end:Date})",
      { params: range },
    );
  },
);
Deno.bench("raw_features: argMax by _version", { group: "dedupe", n: 3, warmup: 1 }, async () => {
  await ch.query(
    "SELECT count() AS n, sum(cityHash64(*)) AS h FROM (SELECT window_days, processing_date, " +
      "address, " + argMaxes + " FROM risk_scoring_versioned.raw_features WHERE processing_date " +
      "BETWEEN {start:Date} AND {end:Date} GROUP BY window_days, processing_date, address)",
    { params: range },
  );
});

globalThis.addEventListener("unload", () => {
  ch.close().finally(() => Deno.removeSync(dataDir, { recursive: true }));
});
