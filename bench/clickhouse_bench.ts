/**
 * Query-to-Arrow throughput of both engines on 1M rows of an alerts table shaped like the
 * contract's raw_alerts (generated inside ClickHouse with numbers() and seeded hashes),
 * next to ClickHouse's own `SELECT ... FORMAT ArrowStream` into nothing on the same engine:
 *
 * - embedded: `INTO OUTFILE '/dev/null'` (the engine reads and serialises Arrow, nothing
 *   leaves it), and the ArrowStream bytes handed to JavaScript, not decoded;
 * - server: the HTTP ArrowStream response body drained, not decoded (a server refuses
 *   INTO OUTFILE over HTTP);
 * - `query()`: the toolkit's path, decoded batch by batch into an Arrow Table.
 *
 * The server engine talks to ClickHouse's HTTP interface served from chDB in a subprocess
 * (tests/support/chdb_http_server.ts). Run with `deno bench -A bench/clickhouse_bench.ts`;
 * after Deno's table it prints rows/s and MB/s (Arrow IPC bytes) per case.
 *
 * @module
 */
import { Session } from "npm:chdb@3.4.0";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { ServerClickHouse } from "../src/clickhouse/server.ts";
import type { ClickHouse } from "../src/types.ts";
import { startChdbHttpServer } from "../tests/support/chdb_http_harness.ts";

const ROWS = 1_000_000;
const OUT = new URL("./.out/clickhouse_bench/", import.meta.url).pathname;

const CREATE_DATABASE = "CREATE DATABASE IF NOT EXISTS bench";
const CREATE_ALERTS = `CREATE TABLE bench.alerts (
  window_days UInt16,
  processing_date Date,
  alert_id String,
  address String,
  typology_type String,
  pattern_id String DEFAULT '',
  pattern_type String DEFAULT '',
  severity String DEFAULT 'medium',
  suspected_address_type String DEFAULT 'unknown',
  suspected_address_subtype String DEFAULT '',
  alert_confidence_score Float32,
  description String,
  volume_usd Decimal128(18) DEFAULT 0,
  evidence_json String,
  risk_indicators Array(String),
  created_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(processing_date)
ORDER BY (window_days, processing_date, alert_id, typology_type)`;
const GENERATE_ALERTS = `INSERT INTO bench.alerts SELECT
  [7, 30, 90][1 + sipHash64(number, 1) % 3] AS window_days,
  toDate('2024-01-01') + intDiv(number, {per_day:UInt32}) AS processing_date,
  lower(hex(sipHash128(number, 'alert'))) AS alert_id,
  concat('5', lower(hex(sipHash64(number % 200000, 'address')))) AS address,
  ['PEEL_CHAIN', 'STRUCTURING', 'PING_PONG', 'HUB_ANOMALY', 'FRESH_TO_EXCHANGE',
   'RAPID_FANOUT', 'MIXING_BEHAVIOR', 'VELOCITY_ANOMALY', 'CYCLE_DETECTION',
   'LAYERING_PATH', 'SMURFING_NETWORK', 'PROXIMITY_RISK', 'MOTIF_FANIN',
   'MOTIF_FANOUT'][1 + sipHash64(number, 2) % 14] AS typology_type,
  lower(hex(sipHash64(number, 'pattern'))) AS pattern_id,
  ['', 'chain', 'star', 'cycle'][1 + sipHash64(number, 3) % 4] AS pattern_type,
  ['low', 'medium', 'high', 'critical'][1 + sipHash64(number, 4) % 4] AS severity,
  ['wallet', 'institutional', 'merchant', 'unknown'][1 + sipHash64(number, 5) % 4]
    AS suspected_address_type,
  '' AS suspected_address_subtype,
  toFloat32((sipHash64(number, 6) % 1000) / 1000) AS alert_confidence_score,
  concat('Detector raised ', typology_type, ' on ', address) AS description,
  toDecimal128(exp((sipHash64(number, 7) % 1000) / 80), 18) AS volume_usd,
  concat('{"tx_count":', toString(sipHash64(number, 8) % 500), '}') AS evidence_json,
  arrayMap(i -> concat('indicator_', toString(i)), range(sipHash64(number, 9) % 4))
    AS risk_indicators,
  toDateTime('2024-01-01 00:00:00', 'UTC') + number AS created_at
FROM numbers({rows:UInt64})`;
/** The extract-like read: every column, USD as Float64 (as the toolkit reads it). */
const READ_ALERTS = `SELECT window_days, processing_date, alert_id, address, typology_type,
  pattern_id, pattern_type, severity, suspected_address_type, suspected_address_subtype,
  alert_confidence_score, description, toFloat64(volume_usd) AS volume_usd, evidence_json,
  risk_indicators, created_at
FROM bench.alerts`;
const READ_INTO_NOTHING = READ_ALERTS +
  " INTO OUTFILE '/dev/null' TRUNCATE FORMAT ArrowStream SETTINGS " +
  "output_format_arrow_compression_method = 'none', output_format_arrow_string_as_string = 1";

async function generate(clickhouse: ClickHouse): Promise<number> {
  const started = performance.now();
  await clickhouse.command(CREATE_DATABASE);
  await clickhouse.command(CREATE_ALERTS);
  await clickhouse.command(GENERATE_ALERTS, { params: { rows: ROWS, per_day: 2_000 } });
  return (performance.now() - started) / 1000;
}

await Deno.remove(OUT, { recursive: true }).catch((error) => {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
});
await Deno.mkdir(OUT, { recursive: true });
const embeddedDir = join(OUT, "embedded");
const embedded = await EmbeddedClickHouse.open({ dataDir: embeddedDir });
const rawSession = new Session(embeddedDir, {
  connectionArgs: [
    "--output_format_arrow_compression_method=none",
    "--output_format_arrow_string_as_string=1",
  ],
});
const harness = await startChdbHttpServer({ dataDir: join(OUT, "server") });
const server = await ServerClickHouse.open({ url: harness.url });
const generation = { embedded: await generate(embedded), server: await generate(server) };
for (const clickhouse of [embedded, server]) {
  const table = await clickhouse.query("SELECT count() AS n FROM bench.alerts");
  if (Number(table.getChild("n")!.get(0)) !== ROWS) throw new Error("Generation fell short");
}

/** Per case: seconds and Arrow bytes of each measured iteration. */
const results = new Map<string, { seconds: number[]; bytes: number }>();

function record(name: string, seconds: number, bytes: number): void {
  const entry = results.get(name) ?? { seconds: [], bytes };
  entry.seconds.push(seconds);
  entry.bytes = bytes;
  results.set(name, entry);
}

async function arrowBytesOf(clickhouse: ClickHouse): Promise<number> {
  let bytes = 0;
  await clickhouse.query(READ_ALERTS, { onProgress: (p) => bytes = p.bytes });
  return bytes;
}
const arrowBytes = { embedded: await arrowBytesOf(embedded), server: await arrowBytesOf(server) };

function measured(
  name: string,
  group: string,
  baseline: boolean,
  run: () => Promise<number>,
): void {
  Deno.bench({
    name,
    group,
    baseline,
    n: 5,
    warmup: 1,
    async fn(b) {
      b.start();
      const started = performance.now();
      const rows = await run();
      const seconds = (performance.now() - started) / 1000;
      b.end();
      if (rows !== ROWS) throw new Error(`${name} read ${rows} rows, expected ${ROWS}`);
      record(name, seconds, arrowBytes[group as "embedded" | "server"]);
    },
  });
}

measured(
  "embedded: SELECT INTO OUTFILE /dev/null FORMAT ArrowStream",
  "embedded",
  true,
  async () => {
    await embedded.command(READ_INTO_NOTHING);
    return ROWS;
  },
);
measured("embedded: ArrowStream bytes to JS, not decoded", "embedded", false, async () => {
  let rows = 0;
  for await (const chunk of rawSession.queryStream(READ_ALERTS, { format: "ArrowStream" })) {
    rows += chunk.numRows;
  }
  return rows;
});
measured("embedded: query() to an Arrow Table", "embedded", false, async () => {
  return (await embedded.query(READ_ALERTS)).numRows;
});
measured("server: HTTP ArrowStream body drained, not decoded", "server", true, async () => {
  const url = new URL(harness.url);
  url.searchParams.set("default_format", "ArrowStream");
  url.searchParams.set("output_format_arrow_compression_method", "none");
  url.searchParams.set("output_format_arrow_string_as_string", "1");
  const response = await fetch(url, { method: "POST", body: READ_ALERTS });
  let bytes = 0;
  for await (const chunk of response.body!) bytes += chunk.byteLength;
  if (response.status !== 200 || bytes < arrowBytes.server / 2) {
    throw new Error(`HTTP ${response.status} with ${bytes} bytes`);
  }
  return ROWS;
});
measured("server: query() to an Arrow Table", "server", false, async () => {
  return (await server.query(READ_ALERTS)).numRows;
});

globalThis.addEventListener("unload", () => {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(
    `\n${ROWS.toLocaleString("en")} alerts; generation (INSERT ... SELECT FROM ` +
      `numbers()): embedded ${generation.embedded.toFixed(2)} s, server ${
        generation.server.toFixed(2)
      } s; Arrow IPC size ${(arrowBytes.embedded / 1e6).toFixed(1)} MB`,
  );
  console.log("| case | median s | rows/s | MB/s |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name, { seconds, bytes }] of results) {
    const s = median(seconds);
    console.log(
      `| ${name} | ${s.toFixed(3)} | ${Math.round(ROWS / s).toLocaleString("en")} | ${
        (bytes / 1e6 / s).toFixed(1)
      } |`,
    );
  }
  harness.stop();
});
