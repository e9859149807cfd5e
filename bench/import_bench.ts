/**
 * importSnapshots() on the embedded engine next to the hand-written load it replaces (one
 * `INSERT ... SELECT * FROM file(glob, Parquet)` per table: no checksums, no casts, no
 * batch replacement), on a generated network exported to the upstream layout
 * (tests/support/upstream_export.ts, `exact` shape: integers as Int64, Float32 as Float64).
 *
 * Run with `deno bench -A bench/import_bench.ts`.
 *
 * @module
 */
import { join } from "node:path";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { generate } from "../src/generate/generate.ts";
import { importSnapshots } from "../src/import/import_snapshots.ts";
import { migrate } from "../src/schema/migrate.ts";
import { exportUpstream } from "../tests/support/upstream_export.ts";

const DAYS = 30;
const ALERTS_PER_DAY = 2000;
const dataDir = await Deno.makeTempDir({ prefix: "risktrain-import-bench-" });
const root = await Deno.makeTempDir({ prefix: "risktrain-import-bench-exports-" });
const ch = await openClickHouse({ dataDir });
const generated = await generate(ch, {
  network: "src",
  days: DAYS,
  alertsPerDay: ALERTS_PER_DAY,
  seed: 1,
});
await exportUpstream(ch, { network: "src", root, shape: "exact" });
console.log(
  `${DAYS} batches: ${generated.rows.raw_alerts} alerts, ${generated.rows.raw_features} ` +
    `raw_features rows, ${generated.rows.raw_money_flows} money flows, ` +
    `${generated.rows.raw_address_labels} labels`,
);
await migrate(ch, { network: "src", database: "risk_scoring_hand" });
const snapshots = join(root, "risk-scoring", "snapshots", "src");
const FILES = {
  raw_features: "features.parquet",
  raw_money_flows: "money_flows.parquet",
  raw_alerts: "alerts.parquet",
  raw_clusters: "clusters.parquet",
};

Deno.bench("importSnapshots()", { baseline: true, n: 2, warmup: 1 }, async () => {
  await importSnapshots(ch, { network: "src", database: "risk_scoring_imported", from: root });
});

Deno.bench("hand-written INSERT ... SELECT * FROM file()", { n: 2, warmup: 1 }, async () => {
  for (const [table, file] of Object.entries(FILES)) {
    await ch.command("TRUNCATE TABLE {db:Identifier}.{table:Identifier}", {
      params: { db: "risk_scoring_hand", table },
    });
    await ch.command(
      "INSERT INTO {db:Identifier}.{table:Identifier} SELECT * FROM file({path:String}, Parquet)",
      { params: { db: "risk_scoring_hand", table, path: join(snapshots, "*", "*", file) } },
    );
  }
});

globalThis.addEventListener("unload", () => {
  ch.close().finally(() => {
    Deno.removeSync(dataDir, { recursive: true });
    Deno.removeSync(root, { recursive: true });
  });
});
