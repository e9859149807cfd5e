/**
 * extract + buildFeatures on 1M alerts (50 days x 20,000 alerts of the synthetic network,
 * seed 42), both engines, next to the engine's own ArrowStream output of the same
 * statements with the same parameters:
 *
 * - embedded: `... INTO OUTFILE '/dev/null' TRUNCATE FORMAT ArrowStream` (the engine reads,
 *   computes and serialises Arrow; nothing reaches JavaScript);
 * - server: ClickHouse's HTTP interface (served from chDB in a subprocess,
 *   tests/support/chdb_http_server.ts), the ArrowStream body drained, not decoded.
 *
 * Peak memory: the process's peak resident set (VmHWM, reset through /proc/self/clear_refs)
 * during one extract + buildFeatures, minus the resident set before it, next to the bytes
 * of the final matrix plus the Arrow tables extract returns. The embedded engine runs in
 * this process, so its query memory counts too; the server's does not.
 *
 * Scale from the environment: BENCH_DAYS (default 50) x BENCH_ALERTS_PER_DAY (default
 * 20,000). The generated data is kept in bench/.out/features_bench/ and reused while the
 * scale is unchanged.
 * Run with `deno bench -A bench/features_bench.ts`.
 *
 * @module
 */
import { join } from "node:path";
import type { Data, Table } from "npm:apache-arrow@21.2.0";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { checkContract } from "../src/extract/check_contract.ts";
import { extract } from "../src/extract/extract.ts";
import { ALIGN_SETTINGS, extractStatements, featureSelect } from "../src/extract/extract_sql.ts";
import { DEFAULT_HISTORY_DAYS } from "../src/extract/extract_query.ts";
import { buildFeatures } from "../src/features/build_features.ts";
import type { ClickHouse, ExtractedData, FeatureMatrix, QueryParams } from "../src/types.ts";
import { startChdbHttpServer } from "../tests/support/chdb_http_harness.ts";
import { BENCH_NETWORK, generatedNetwork } from "./_generated_network.ts";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const DAYS = env("BENCH_DAYS", 50);
const ALERTS_PER_DAY = env("BENCH_ALERTS_PER_DAY", 20_000);
const { network: NETWORK, startDate: START } = BENCH_NETWORK;
const QUERY = {
  network: NETWORK,
  startDate: START,
  endDate: new Date(Date.parse(START) + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10),
  windowDays: 7,
};
const OUT = new URL("./.out/features_bench/", import.meta.url).pathname;
const EMBEDDED_DIR = join(OUT, "embedded");
const SERVER_DIR = join(OUT, "server");

await generatedNetwork(
  OUT,
  { dataDir: EMBEDDED_DIR, days: DAYS, alertsPerDay: ALERTS_PER_DAY },
  async () => {
    const copy = await new Deno.Command("cp", { args: ["-a", EMBEDDED_DIR, SERVER_DIR] }).output();
    if (!copy.success) throw new Error("Copying the data directory failed");
    return {};
  },
);

const embedded = await openClickHouse({ dataDir: EMBEDDED_DIR });
const harness = await startChdbHttpServer({ dataDir: SERVER_DIR });
const server = await openClickHouse({ url: harness.url });

/** A statement extract runs, with its parameters and settings. */
interface Statement {
  sql: string;
  params: QueryParams;
  settings: Readonly<Record<string, number>>;
}

/** The statements extract runs, with their parameters and settings. */
async function statements(ch: ClickHouse): Promise<Statement[]> {
  const database = "risk_scoring_" + NETWORK;
  const contract = await checkContract(ch, database, NETWORK, false);
  const sql = extractStatements(false);
  const select = featureSelect(contract.presentFeatureColumns);
  const params: QueryParams = {
    db: database,
    network: NETWORK,
    start: QUERY.startDate,
    end: QUERY.endDate,
    window: QUERY.windowDays,
    history: DEFAULT_HISTORY_DAYS,
  };
  return [
    { sql: sql.alerts, params, settings: {} },
    {
      sql: sql.featuresHead + select.sql + sql.featuresTail,
      params: { ...params, ...select.params },
      settings: ALIGN_SETTINGS,
    },
    { sql: sql.moneyFlows, params, settings: ALIGN_SETTINGS },
    { sql: sql.clusters, params, settings: {} },
    { sql: sql.fingerprint, params, settings: {} },
  ];
}
const statementsOf = { embedded: await statements(embedded), server: await statements(server) };

async function engineOnlyEmbedded(): Promise<void> {
  for (const { sql, params, settings } of statementsOf.embedded) {
    await embedded.command(sql + " INTO OUTFILE '/dev/null' TRUNCATE FORMAT ArrowStream", {
      params,
      settings,
    });
  }
}

async function engineOnlyServer(): Promise<void> {
  for (const { sql, params, settings } of statementsOf.server) {
    const url = new URL(harness.url);
    for (const [name, value] of Object.entries(settings)) url.searchParams.set(name, String(value));
    url.searchParams.set("default_format", "ArrowStream");
    url.searchParams.set("output_format_arrow_compression_method", "none");
    url.searchParams.set("output_format_arrow_string_as_string", "1");
    for (const [name, value] of Object.entries(params)) {
      url.searchParams.set("param_" + name, String(value));
    }
    const response = await fetch(url, { method: "POST", body: sql });
    let bytes = 0;
    for await (const chunk of response.body!) bytes += chunk.byteLength;
    if (response.status !== 200) throw new Error(`HTTP ${response.status} (${bytes} bytes)`);
  }
}

function statusKb(field: string): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const match = new RegExp("^" + field + ":\\s+(\\d+) kB", "m").exec(status);
  if (!match) throw new Error("No " + field + " in /proc/self/status");
  return Number(match[1]) * 1024;
}

function arrowBytes(tables: Table[]): number {
  const seen = new Set<ArrayBufferLike>();
  let bytes = 0;
  const visit = (data: Data) => {
    for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds]) {
      const view = buffer as ArrayBufferView | undefined;
      if (view && !seen.has(view.buffer)) {
        seen.add(view.buffer);
        bytes += view.buffer.byteLength;
      }
    }
    for (const child of data.children) visit(child);
  };
  for (const table of tables) for (const batch of table.batches) visit(batch.data);
  return bytes;
}

function matrixBytes(matrix: FeatureMatrix): number {
  return matrix.data.byteLength + matrix.label.byteLength + (matrix.weight?.byteLength ?? 0) +
    (matrix.group?.byteLength ?? 0) + matrix.processingDates.byteLength;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0) + " MB";
const lines: string[] = [];

/** One cold extract + buildFeatures(alert_scorer) with timings and peak memory. */
async function once(name: string, ch: ClickHouse): Promise<ExtractedData> {
  const engineStarted = performance.now();
  await (name === "embedded" ? engineOnlyEmbedded() : engineOnlyServer());
  const engineSeconds = (performance.now() - engineStarted) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  const before = statusKb("VmRSS");
  const started = performance.now();
  const data = await extract(ch, QUERY);
  const extractSeconds = (performance.now() - started) / 1000;
  const built = performance.now();
  const matrix = buildFeatures(data, { modelType: "alert_scorer" });
  const buildSeconds = (performance.now() - built) / 1000;
  const peak = statusKb("VmHWM") - before;
  const kept = arrowBytes([
    data.alerts,
    data.labels,
    data.features,
    data.moneyFlows,
    data.clusters,
  ]);
  const final = matrixBytes(matrix);
  lines.push(
    `| ${name} | ${data.alerts.numRows.toLocaleString("en")} | ${engineSeconds.toFixed(2)} | ` +
      `${extractSeconds.toFixed(2)} | ${(extractSeconds / engineSeconds).toFixed(2)}x | ` +
      `${buildSeconds.toFixed(2)} | ${matrix.numRows} x ${matrix.numFeatures} | ${mb(final)} | ` +
      `${mb(kept)} | ${mb(peak)} | ${(peak / (final + kept)).toFixed(2)}x |`,
  );
  return data;
}

const data = { embedded: await once("embedded", embedded), server: await once("server", server) };

for (const engine of ["embedded", "server"] as const) {
  const ch = engine === "embedded" ? embedded : server;
  Deno.bench({
    name: engine + ": engine's own ArrowStream output of the extract statements",
    group: engine,
    baseline: true,
    n: 1,
    warmup: 0,
    fn: engine === "embedded" ? engineOnlyEmbedded : engineOnlyServer,
  });
  Deno.bench({
    name: engine + ": extract()",
    group: engine,
    n: 1,
    warmup: 0,
    async fn() {
      await extract(ch, QUERY);
    },
  });
}
for (const modelType of ["alert_scorer", "alert_ranker", "cluster_scorer"] as const) {
  Deno.bench({
    name: "buildFeatures() " + modelType,
    group: "buildFeatures",
    n: 1,
    warmup: 0,
    fn() {
      buildFeatures(data.embedded, { modelType });
    },
  });
}

globalThis.addEventListener("unload", () => {
  console.log(
    "\nOne cold run each (alert_scorer; engine = the same statements into nothing):\n" +
      "| engine | alerts | engine s | extract s | extract/engine | build s | matrix | " +
      "matrix bytes | Arrow kept | peak over start | peak / (matrix + Arrow) |\n" +
      "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n" +
      lines.join("\n"),
  );
  harness.stop();
});
