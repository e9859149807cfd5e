/**
 * Writes a network's input tables as the upstream's analytics exports do, for the import
 * tests: `risk-scoring/snapshots/<network>/<date>/<window>/` with features.parquet,
 * money_flows.parquet, patterns.parquet, alerts.parquet, clusters.parquet and META.json,
 * and `risk-scoring/address-labels/<network>_address_labels.parquet`. The Parquet files are
 * written by ClickHouse (`INSERT INTO FUNCTION file(..., 'Parquet')`) on the embedded engine.
 *
 * Shapes:
 * - `exact`: every column, integers widened to Int64 and Float32 to Float64 (lossless, as
 *   the upstream's Parquet types are wider than the tables'), DateTime as a millisecond
 *   timestamp, labels with their dates: importing it back gives the same rows.
 * - `upstream`: the newest upstream's shapes: the 20 dropped raw_features columns absent and
 *   the seven new ones present, USD amounts as Float64, UInt8 for Bool, Array(Int64)
 *   patterns, JSON-string arrays for risk_indicators and related_alert_ids, `_version` for
 *   created_at, extra columns, and labels without processing_date or window_days (with
 *   created_timestamp, updated_timestamp, _version and address_type values agent, flagged).
 *
 * @module
 */
import { join } from "node:path";
import { sha256 } from "../../src/import/snapshot_meta.ts";
import type { ClickHouse } from "../../src/types.ts";

/** The 20 raw_features columns the newest upstream snapshots drop. */
export const DROPPED_FEATURES = [
  "behavioral_anomaly_score",
  "graph_anomaly_score",
  "neighborhood_anomaly_score",
  "global_anomaly_score",
  "outlier_transactions",
  "suspicious_pattern_score",
  "is_exchange_like",
  "is_whale",
  "is_mixer_like",
  "is_contract_like",
  "is_high_volume_trader",
  "is_hub_address",
  "is_retail_active",
  "is_whale_inactive",
  "is_retail_inactive",
  "is_regular_user",
  "completeness_score",
  "quality_score",
  "outlier_score",
  "confidence_score",
];

/** The seven raw_features columns a later upstream version adds. */
export const NEW_FEATURES = [
  "avg_relationship_age_days",
  "max_relationship_age_days",
  "bidirectional_relationship_ratio",
  "avg_edge_reciprocity",
  "multi_asset_edge_ratio",
  "edge_hourly_entropy",
  "edge_weekly_entropy",
];

/** Options of {@linkcode exportUpstream}. */
export interface ExportOptions {
  /** The network. */
  network: string;
  /** The database read (default `risk_scoring_<network>`). */
  database?: string;
  /** The export root (`risk-scoring/` is created in it). */
  root: string;
  /** `exact` (lossless) or `upstream` (the newest upstream's shapes). */
  shape: "exact" | "upstream";
}

const TABLES = {
  "features.parquet": "raw_features",
  "money_flows.parquet": "raw_money_flows",
  "alerts.parquet": "raw_alerts",
  "clusters.parquet": "raw_clusters",
} as const;

async function columnTypes(ch: ClickHouse, db: string, table: string): Promise<[string, string][]> {
  const found = await ch.query(
    "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} " +
      "ORDER BY position",
    { params: { db, t: table } },
  );
  const names = Array.from(found.getChild("name")!, String);
  const types = Array.from(found.getChild("type")!, String);
  return names.map((name, i) => [name, types[i]]);
}

/** The select list writing `table` in `shape` (column names are the schema's own). */
function selectList(columns: [string, string][], table: string, shape: ExportOptions["shape"]) {
  const out: string[] = [];
  for (const [name, type] of columns) {
    const q = "`" + name + "`";
    if (shape === "upstream") {
      if (table === "raw_features" && DROPPED_FEATURES.includes(name)) continue;
      if (name === "created_at") {
        out.push("toUInt64(toUnixTimestamp(" + q + ")) * 1000 AS _version");
        continue;
      }
      if (name === "risk_indicators" || name === "related_alert_ids") {
        out.push("toJSONString(" + q + ") AS " + q);
        continue;
      }
      if (type.startsWith("Decimal")) {
        out.push("toFloat64(" + q + ") AS " + q);
        continue;
      }
      if (type === "Bool") {
        out.push("toUInt8(" + q + ") AS " + q);
        continue;
      }
    }
    if (name === "created_at") out.push("toDateTime64(" + q + ", 3, 'UTC') AS " + q);
    else if (/^U?Int(8|16|32)$/.test(type)) out.push("toInt64(" + q + ") AS " + q);
    else if (type === "Float32") out.push("toFloat64(" + q + ") AS " + q);
    else if (/^Array\(U?Int(8|16|32|64)\)$/.test(type)) {
      out.push("arrayMap(v -> toInt64(v), " + q + ") AS " + q);
    } else out.push(q);
  }
  if (shape === "upstream") {
    out.push("'exported by the analytics pipeline' AS export_note");
    if (table === "raw_features") {
      out.push(
        "toFloat64(degree_in) / 2 AS avg_relationship_age_days",
        "toInt64(degree_out) AS max_relationship_age_days",
        "toFloat64(reciprocity_ratio) AS bidirectional_relationship_ratio",
        "toFloat64(reciprocity_ratio) / 2 AS avg_edge_reciprocity",
        "toFloat64(0.25) AS multi_asset_edge_ratio",
        "toFloat64(hourly_entropy) AS edge_hourly_entropy",
        "toFloat64(daily_entropy) AS edge_weekly_entropy",
      );
    }
  }
  return out.join(", ");
}

async function writeParquet(ch: ClickHouse, path: string, sql: string, params: object) {
  await ch.command(
    "INSERT INTO FUNCTION file({path:String}, 'Parquet') " + sql +
      " SETTINGS engine_file_truncate_on_insert = 1",
    { params: { ...params, path } },
  );
}

async function rowsOf(ch: ClickHouse, path: string): Promise<number> {
  const table = await ch.query("SELECT count() AS n FROM file({path:String}, 'Parquet')", {
    params: { path },
  });
  return Number(table.getChild("n")!.get(0));
}

/**
 * Exports every (processing_date, window_days) batch of raw_features; returns the batch
 * folders written.
 */
export async function exportUpstream(ch: ClickHouse, options: ExportOptions): Promise<string[]> {
  const db = options.database ?? "risk_scoring_" + options.network;
  const base = join(options.root, "risk-scoring");
  const batches = await ch.query(
    "SELECT DISTINCT toString(processing_date) AS day, window_days FROM {db:Identifier}.raw_features " +
      "ORDER BY day, window_days",
    { params: { db } },
  );
  const days = Array.from(batches.getChild("day")!, String);
  const windows = Array.from(batches.getChild("window_days")!, Number);
  const dirs: string[] = [];
  for (const [i, day] of days.entries()) {
    const dir = join(base, "snapshots", options.network, day, String(windows[i]));
    await Deno.mkdir(dir, { recursive: true });
    const params = { db, day, w: windows[i] };
    const files: Record<string, { sha256: string; rows: number }> = {};
    for (const [file, table] of Object.entries(TABLES)) {
      const select = selectList(await columnTypes(ch, db, table), table, options.shape);
      const path = join(dir, file);
      await writeParquet(
        ch,
        path,
        "SELECT " + select + " FROM {db:Identifier}." + table +
          " WHERE processing_date = {day:Date} AND window_days = {w:UInt16}",
        params,
      );
      files[file] = {
        sha256: await sha256(await Deno.readFile(path)),
        rows: await rowsOf(ch, path),
      };
    }
    const patterns = join(dir, "patterns.parquet");
    await writeParquet(
      ch,
      patterns,
      "SELECT DISTINCT pattern_id, pattern_type, typology_type FROM {db:Identifier}.raw_alerts " +
        "WHERE processing_date = {day:Date} AND window_days = {w:UInt16}",
      params,
    );
    files["patterns.parquet"] = {
      sha256: await sha256(await Deno.readFile(patterns)),
      rows: await rowsOf(ch, patterns),
    };
    await Deno.writeTextFile(join(dir, "META.json"), JSON.stringify({ files }, null, 2));
    dirs.push(dir);
  }
  await Deno.mkdir(join(base, "address-labels"), { recursive: true });
  const labels = join(base, "address-labels", options.network + "_address_labels.parquet");
  if (options.shape === "exact") {
    const select = selectList(
      await columnTypes(ch, db, "raw_address_labels"),
      "raw_address_labels",
      "exact",
    );
    await writeParquet(
      ch,
      labels,
      "SELECT " + select + " FROM {db:Identifier}.raw_address_labels",
      {
        db,
      },
    );
  } else {
    // One row per (address, label) as the upstream keeps them: no batch date or window.
    await writeParquet(
      ch,
      labels,
      "SELECT network, address, label, network_type, " +
        "multiIf(risk_level = 'low', 'agent', risk_level = 'critical', 'flagged', address_type) " +
        "AS address_type, address_subtype, risk_level, " +
        "toFloat64(confidence_score) AS confidence_score, trust_level, source, " +
        "toUInt64(1733011200000) AS created_timestamp, toUInt64(1733011200000) AS " +
        "updated_timestamp, toUInt64(1) AS _version " +
        "FROM {db:Identifier}.raw_address_labels " +
        "ORDER BY address, label, processing_date DESC LIMIT 1 BY address, label",
      { db },
    );
  }
  return dirs;
}
