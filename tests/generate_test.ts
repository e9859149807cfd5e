import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { generate, type GenerateProgress, INPUT_TABLES } from "../src/generate/generate.ts";
import { planGeneration } from "../src/generate/generation_plan.ts";
import type { ClickHouse } from "../src/types.ts";

/** Columns that may hold one value in a small network: the network's own name and type. */
const CONSTANT_COLUMNS = new Set(["raw_address_labels.network", "raw_address_labels.network_type"]);

const OPTIONS = {
  network: "demo",
  days: 8,
  alertsPerDay: 300,
  startDate: "2024-03-01",
  windowDays: [7, 30],
};

async function rows(ch: ClickHouse, sql: string, params = {}): Promise<string[][]> {
  const table = await ch.query(sql, { params });
  const columns = table.schema.fields.map((_, j) => table.getChildAt(j)!);
  return Array.from({ length: table.numRows }, (_, i) => columns.map((c) => String(c.get(i))));
}

async function value(ch: ClickHouse, sql: string, params = {}): Promise<number> {
  return Number((await rows(ch, sql, params))[0][0]);
}

async function checksums(ch: ClickHouse, db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of INPUT_TABLES) {
    const [[count, hash]] = await rows(
      ch,
      "SELECT count(), groupBitXor(cityHash64(*)) FROM {db:Identifier}.{table:Identifier}",
      { db, table },
    );
    out[table] = `${count}:${hash}`;
  }
  return out;
}

/** UUIDv5 (RFC 4122, namespace OID) computed with WebCrypto, independently of the SQL. */
async function uuidV5(name: string): Promise<string> {
  const namespace = "6ba7b8129dad11d180b400c04fd430c8".match(/../g)!.map((h) => parseInt(h, 16));
  const bytes = new Uint8Array([...namespace, ...new TextEncoder().encode(name)]);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

let shared: { ch: ClickHouse; dataDir: string } | undefined;

/** One chDB session for the whole file (one data directory per process). */
async function engine(): Promise<ClickHouse> {
  if (!shared) {
    const dataDir = await Deno.makeTempDir({ prefix: "risktrain-generate-test-" });
    shared = { ch: await openClickHouse({ dataDir }), dataDir };
  }
  return shared.ch;
}

Deno.test("generate() fills every input table and every column, with progress", async () => {
  const ch = await engine();
  const progress: GenerateProgress[] = [];
  const result = await generate(ch, {
    ...OPTIONS,
    database: "gen_a",
    seed: 7,
    onProgress: (p) => progress.push(p),
  });
  assert.equal(result.database, "gen_a");
  assert.equal(result.endDate, "2024-03-08");
  assert.equal(result.rows.raw_alerts, 8 * 300 * 2);
  for (const table of INPUT_TABLES) assert.ok(result.rows[table] > 0, table);

  assert.equal(progress.length, progress.at(-1)!.steps);
  assert.deepEqual(progress.map((p) => p.step), progress.map((_, i) => i + 1));
  assert.deepEqual(
    [...new Set(progress.map((p) => p.table))],
    [
      "addresses",
      "raw_alerts",
      "raw_clusters",
      "raw_money_flows",
      "raw_features",
      "raw_address_labels",
    ],
  );
  const alertSteps = progress.filter((p) => p.table === "raw_alerts");
  assert.deepEqual(alertSteps.map((p) => p.windowDays), [7, 30]);
  assert.equal(alertSteps[0].rows, 8 * 300);

  const columns = await rows(
    ch,
    "SELECT table, name FROM system.columns WHERE database = 'gen_a' " +
      "AND table IN {tables:Array(String)} ORDER BY table, position",
    { tables: [...INPUT_TABLES] },
  );
  assert.equal(columns.length, 16 + 99 + 16 + 18 + 12);
  const constant: string[] = [];
  for (const [table, column] of columns) {
    const distinct = await value(
      ch,
      "SELECT uniqExact({column:Identifier}) FROM gen_a.{table:Identifier}",
      { table, column },
    );
    if (distinct < 2) constant.push(`${table}.${column}`);
  }
  assert.deepEqual(constant, [...CONSTANT_COLUMNS]);

  const tables = await rows(
    ch,
    "SELECT name FROM system.tables WHERE database = 'gen_a' AND name LIKE '\\_risktrain%'",
  );
  assert.deepEqual(tables, [], "helper tables are dropped");
});

Deno.test("generate() rows are coherent across tables", async () => {
  const ch = await engine();
  // Every feature row's sums agree with itself and with the batch's flows and alerts.
  assert.equal(
    await value(
      ch,
      `SELECT countIf(degree_total != degree_in + degree_out
          OR tx_total_count != tx_in_count + tx_out_count
          OR arraySum(hourly_activity) != tx_total_count
          OR arraySum(daily_activity) != tx_total_count
          OR length(hourly_activity) != 24 OR length(daily_activity) != 7
          OR net_flow_usd != total_in_usd - total_out_usd
          OR total_volume_usd != total_in_usd + total_out_usd
          OR peak_hour != indexOf(hourly_activity, arrayMax(hourly_activity)) - 1
          OR first_activity_timestamp > last_activity_timestamp
          OR activity_days > activity_span_days OR activity_span_days > window_days
          OR unique_counterparties > degree_total
          OR min_tx_usd > max_tx_usd)
        FROM gen_a.raw_features`,
    ),
    0,
  );
  assert.equal(
    await value(
      ch,
      `SELECT count() FROM gen_a.raw_money_flows
        WHERE arraySum(hourly_pattern) != tx_count OR arraySum(weekly_pattern) != tx_count
          OR first_seen_timestamp > last_seen_timestamp OR from_address = to_address
          OR is_bidirectional != ((to_address, from_address, window_days, processing_date) IN
            (SELECT from_address, to_address, window_days, processing_date
              FROM gen_a.raw_money_flows))`,
    ),
    0,
  );
  // Degrees and USD totals cover what the flows and alerts show.
  assert.equal(
    await value(
      ch,
      `SELECT count() FROM gen_a.raw_features AS f
        INNER JOIN (SELECT window_days, processing_date, from_address AS address,
            count() AS edges, sum(amount_usd_sum) AS usd
          FROM gen_a.raw_money_flows GROUP BY ALL) AS o
          USING (window_days, processing_date, address)
        WHERE f.degree_out < o.edges OR f.total_out_usd < o.usd`,
    ),
    0,
  );
  assert.equal(
    await value(
      ch,
      `SELECT count() FROM (SELECT window_days, processing_date, address,
            sum(volume_usd) AS usd FROM gen_a.raw_alerts GROUP BY ALL) AS a
        LEFT JOIN gen_a.raw_features AS f USING (window_days, processing_date, address)
        WHERE f.address = '' OR f.total_volume_usd < a.usd`,
    ),
    0,
    "every alerted address has a feature row covering its alerts' volume",
  );
  // Features also exist for never-alerted counterparties.
  assert.ok(
    await value(
      ch,
      `SELECT count() FROM gen_a.raw_features WHERE (window_days, processing_date, address)
        NOT IN (SELECT window_days, processing_date, address FROM gen_a.raw_alerts)`,
    ) > 0,
  );
  // Clusters: two or more alerts of the batch, on one address or sharing a pattern.
  assert.equal(
    await value(
      ch,
      `SELECT count() FROM gen_a.raw_clusters
        WHERE total_alerts < 2 OR length(related_alert_ids) != total_alerts
          OR NOT has(related_alert_ids, primary_alert_id)
          OR (cluster_type = 'same_entity' AND addresses_involved != [primary_address])
          OR (cluster_type = 'coordinated_pattern' AND length(addresses_involved) < 2)
          OR earliest_alert_timestamp > latest_alert_timestamp`,
    ),
    0,
  );
  assert.equal(
    await value(
      ch,
      `SELECT count() FROM gen_a.raw_clusters ARRAY JOIN related_alert_ids AS id
        WHERE (window_days, processing_date, id) NOT IN
          (SELECT window_days, processing_date, alert_id FROM gen_a.raw_alerts)`,
    ),
    0,
  );
});

Deno.test("generate() alert ids are UUIDv5 of address, typology and date, equal across windows", async () => {
  const ch = await engine();
  const sample = await rows(
    ch,
    "SELECT alert_id, address, typology_type, toString(processing_date) FROM gen_a.raw_alerts " +
      "WHERE window_days = 7 ORDER BY alert_id LIMIT 5",
  );
  for (const [id, address, typology, date] of sample) {
    assert.equal(id, await uuidV5(`${address}|${typology}|${date}`));
  }
  const [[only7, only30]] = await rows(
    ch,
    `SELECT
        (SELECT count() FROM gen_a.raw_alerts WHERE window_days = 7 AND alert_id NOT IN
          (SELECT alert_id FROM gen_a.raw_alerts WHERE window_days = 30)),
        (SELECT count() FROM gen_a.raw_alerts WHERE window_days = 30 AND alert_id NOT IN
          (SELECT alert_id FROM gen_a.raw_alerts WHERE window_days = 7))`,
  );
  assert.deepEqual([only7, only30], ["0", "0"]);
  const repeated = await value(
    ch,
    "SELECT countIf(n > 1) FROM (SELECT address, uniqExact(processing_date) AS n " +
      "FROM gen_a.raw_alerts WHERE window_days = 7 GROUP BY address)",
  );
  assert.ok(repeated > 0, "some addresses are alerted on several dates");
});

Deno.test("generate() labels are imbalanced, partly high/critical and sometimes dated after alerts", async () => {
  const ch = await engine();
  const [[alerted, labelled, positive, critical]] = await rows(
    ch,
    `SELECT
        (SELECT uniqExact(address) FROM gen_a.raw_alerts),
        uniqExact(address),
        uniqExactIf(address, risk_level IN ('high', 'critical')),
        uniqExactIf(address, risk_level = 'critical')
      FROM gen_a.raw_address_labels
      WHERE address IN (SELECT address FROM gen_a.raw_alerts) AND window_days = 7`,
  );
  const share = Number(labelled) / Number(alerted);
  assert.ok(share > 0.05 && share < 0.2, `labelled share of alerted addresses: ${share}`);
  const positiveShare = Number(positive) / Number(labelled);
  assert.ok(positiveShare > 0.1 && positiveShare < 0.45, `positive share: ${positiveShare}`);
  assert.ok(Number(critical) > 0 && Number(critical) < Number(positive));
  assert.deepEqual(
    (await rows(ch, "SELECT DISTINCT risk_level FROM gen_a.raw_address_labels ORDER BY 1")).flat(),
    ["critical", "high", "low", "medium"],
  );
  const [[after, before]] = await rows(
    ch,
    `SELECT countIf(l.first_label > a.first_alert), countIf(l.first_label <= a.first_alert)
      FROM (SELECT address, min(processing_date) AS first_alert FROM gen_a.raw_alerts
        GROUP BY address) AS a
      INNER JOIN (SELECT address, min(processing_date) AS first_label
        FROM gen_a.raw_address_labels GROUP BY address) AS l USING address`,
  );
  assert.ok(Number(after) > 0 && Number(before) > 0, `after ${after}, before ${before}`);
  assert.equal(
    await value(
      ch,
      "SELECT count() FROM gen_a.raw_address_labels WHERE window_days NOT IN (7, 30) " +
        "OR network != 'demo'",
    ),
    0,
  );
});

Deno.test("generate() gives the same rows for the same seed and different rows for another", async () => {
  const ch = await engine();
  await generate(ch, { ...OPTIONS, database: "gen_b", seed: 7 });
  await generate(ch, { ...OPTIONS, database: "gen_c", seed: 8 });
  const a = await checksums(ch, "gen_a");
  const b = await checksums(ch, "gen_b");
  const c = await checksums(ch, "gen_c");
  assert.deepEqual(b, a);
  for (const table of INPUT_TABLES) assert.notEqual(c[table], a[table], table);
});

Deno.test("generate() refuses a filled database unless replace is set", async () => {
  const ch = await engine();
  await assert.rejects(
    () => generate(ch, { ...OPTIONS, database: "gen_b", seed: 7 }),
    (error: unknown) =>
      error instanceof RiskTrainError && error.code === "DATA_INVALID" &&
      error.message.includes("gen_b") && error.message.includes("replace"),
  );
  const result = await generate(ch, {
    ...OPTIONS,
    days: 2,
    windowDays: [30],
    database: "gen_b",
    seed: 7,
    replace: true,
  });
  assert.equal(result.rows.raw_alerts, 2 * 300);
  assert.equal(
    await value(ch, "SELECT uniqExact(window_days) FROM gen_b.raw_address_labels"),
    1,
  );
});

Deno.test("generate() rejects invalid options before touching ClickHouse", async () => {
  const ch = await engine();
  const bad = [
    { network: "demo; DROP DATABASE gen_a" },
    { network: "Demo" },
    { days: 0 },
    { alertsPerDay: 1.5 },
    { seed: -1 },
    { startDate: "2024-02-30" },
    { windowDays: [] },
    { windowDays: [7, 7] },
  ];
  for (const override of bad) {
    await assert.rejects(
      () => generate(ch, { ...OPTIONS, database: "gen_bad", seed: 1, ...override }),
      (error: unknown) => error instanceof RiskTrainError && error.code === "CONFIG_INVALID",
      JSON.stringify(override),
    );
  }
  assert.equal(await value(ch, "SELECT count() FROM system.databases WHERE name = 'gen_bad'"), 0);
});

Deno.test("generate() stops on abort and drops its helper tables", async () => {
  const ch = await engine();
  const controller = new AbortController();
  await assert.rejects(
    () =>
      generate(ch, {
        ...OPTIONS,
        database: "gen_abort",
        seed: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.table === "raw_alerts") controller.abort();
        },
      }),
    (error: unknown) => error instanceof RiskTrainError && error.code === "CANCELLED",
  );
  assert.equal(
    await value(
      ch,
      "SELECT count() FROM system.tables WHERE database = 'gen_abort' AND name LIKE '\\_risktrain%'",
    ),
    0,
  );
});

Deno.test("planGeneration() cuts the range into chunks of about 50,000 alerts", () => {
  const plan = planGeneration({ startDate: "2024-01-30", days: 60, alertsPerDay: 2000 });
  assert.deepEqual(plan.chunks.map((c) => [c.from, c.to, c.days]), [
    ["2024-01-30", "2024-02-23", 25],
    ["2024-02-24", "2024-03-19", 25],
    ["2024-03-20", "2024-03-29", 10],
  ]);
  assert.equal(plan.endDate, "2024-03-29");
  assert.equal(plan.alertable, 36_000);
  assert.equal(plan.population, 108_000);
  const one = planGeneration({ startDate: "2024-01-01", days: 1, alertsPerDay: 200_000 });
  assert.equal(one.chunks.length, 1);
});

Deno.test("generate() test engine closes", async () => {
  if (!shared) return;
  await shared.ch.close();
  await Deno.remove(shared.dataDir, { recursive: true });
  shared = undefined;
});
