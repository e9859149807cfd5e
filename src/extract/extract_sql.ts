/**
 * The SQL `extract` runs. Every value is a query parameter: `{db:Identifier}`,
 * `{network:String}`, `{start:Date}`, `{end:Date}`, `{window:UInt16}`, `{limit:UInt64}`,
 * `{seed:UInt32}`, and `{cN:Identifier}` for raw_features column names. Statements are
 * composed from constant fragments only.
 *
 * @module
 */
import type { FeatureColumnSpec } from "./contract_columns.ts";

/** `system.columns` of the input tables: one query checks the whole contract. */
export const COLUMNS_SQL = "SELECT table, name, type FROM system.columns " +
  "WHERE database = {db:String} AND table IN {tables:Array(String)} ORDER BY table, position";

/** Whether a database exists. */
export const DATABASE_EXISTS_SQL =
  "SELECT count() AS n FROM system.databases WHERE name = {db:String}";

/** Databases whose name starts with `risk_scoring_` (named when a network is unknown). */
export const NETWORK_DATABASES_SQL = "SELECT name FROM system.databases " +
  "WHERE startsWith(name, 'risk_scoring_') ORDER BY name";

/** Alerts per window_days in the date range. */
export const WINDOWS_SQL = "SELECT window_days, count() AS alerts " +
  "FROM {db:Identifier}.raw_alerts " +
  "WHERE processing_date BETWEEN {start:Date} AND {end:Date} " +
  "GROUP BY window_days ORDER BY window_days";

const RANGE =
  "window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}";

/** The alerts of the range at the window: every one. */
const SELECTED_ALL = "selected AS (SELECT processing_date, alert_id, typology_type, address " +
  "FROM {db:Identifier}.raw_alerts WHERE " + RANGE + ")";

/** The alerts of the range at the window: a seeded sample of at most `limit`. */
const SELECTED_SAMPLE = "selected AS (SELECT processing_date, alert_id, typology_type, address " +
  "FROM {db:Identifier}.raw_alerts WHERE " + RANGE + " " +
  "ORDER BY cityHash64(processing_date, alert_id, typology_type, {seed:UInt32}), " +
  "processing_date, alert_id, typology_type LIMIT {limit:UInt64})";

const IN_SELECTED_ALERTS = " AND (processing_date, alert_id, typology_type) IN " +
  "(SELECT processing_date, alert_id, typology_type FROM selected)";

const RISK_RANK = "multiIf(risk_level = 'critical', 3, risk_level = 'high', 2, " +
  "risk_level = 'medium', 1, risk_level = 'low', 0, -1)";

/** The statements of one extraction, sampled (`limit` set) or not. */
export interface ExtractStatements {
  /** Alerts with their as-of labels, ordered by (processing_date, alert_id, typology_type). */
  alerts: string;
  /** raw_features rows of the alerted addresses (the select list is appended). */
  featuresHead: string;
  /** The rest of the raw_features statement, after the select list. */
  featuresTail: string;
  /** Per-address money-flow aggregates of the alerted addresses. */
  moneyFlows: string;
  /** Clusters of the range (with a sample: those with a sampled member alert). */
  clusters: string;
  /** Row counts and hashes of the source rows, for the fingerprint. */
  fingerprint: string;
}

/**
 * The statements of one extraction. Labels are taken as of each alert's date with an ASOF
 * LEFT JOIN on `alert.processing_date >= label.processing_date`: the latest label day at or
 * before the alert, never a later one. On one label day with several rows for an address,
 * the row with the highest risk_level wins, then the highest confidence_score, then the
 * greatest label text.
 *
 * @example
 * ```ts
 * import { extractStatements } from "./extract_sql.ts";
 * console.assert(extractStatements(false).alerts.includes("ASOF LEFT JOIN"));
 * ```
 */
export function extractStatements(sampled: boolean): ExtractStatements {
  const selected = sampled ? SELECTED_SAMPLE : SELECTED_ALL;
  const alertFilter = sampled ? IN_SELECTED_ALERTS : "";
  const alerts = "WITH " + selected + ", " +
    "label_days AS (SELECT address AS label_address, processing_date AS label_processing_date, " +
    "toUInt8(1) AS label_found, " +
    "argMax(risk_level, tuple(" + RISK_RANK + ", confidence_score, label)) AS label_risk_level, " +
    "argMax(confidence_score, tuple(" + RISK_RANK + ", confidence_score, label)) " +
    "AS label_confidence_score " +
    "FROM {db:Identifier}.raw_address_labels " +
    "WHERE network = {network:String} AND processing_date <= {end:Date} " +
    "AND address IN (SELECT address FROM selected) " +
    "GROUP BY label_address, label_processing_date) " +
    "SELECT a.window_days AS window_days, a.processing_date AS processing_date, " +
    "a.alert_id AS alert_id, a.address AS address, a.typology_type AS typology_type, " +
    "a.severity AS severity, a.suspected_address_type AS suspected_address_type, " +
    "a.alert_confidence_score AS alert_confidence_score, a.volume_usd AS volume_usd, " +
    "a.evidence_count AS evidence_count, a.indicator_count AS indicator_count, " +
    "l.label_found AS label_found, l.label_risk_level AS label_risk_level, " +
    "l.label_confidence_score AS label_confidence_score, " +
    "l.label_processing_date AS label_processing_date " +
    "FROM (SELECT window_days, processing_date, alert_id, address, typology_type, severity, " +
    "suspected_address_type, alert_confidence_score, toFloat64(volume_usd) AS volume_usd, " +
    "toUInt32(JSONLength(evidence_json)) AS evidence_count, " +
    "toUInt32(length(risk_indicators)) AS indicator_count " +
    "FROM {db:Identifier}.raw_alerts WHERE " + RANGE + alertFilter + ") AS a " +
    "ASOF LEFT JOIN label_days AS l " +
    "ON a.address = l.label_address AND a.processing_date >= l.label_processing_date " +
    "ORDER BY processing_date, alert_id, typology_type";

  const featuresHead = "WITH " + selected + " SELECT processing_date, address";
  const featuresTail = " FROM {db:Identifier}.raw_features WHERE " + RANGE +
    " AND (processing_date, address) IN (SELECT processing_date, address FROM selected) " +
    "ORDER BY processing_date, address";

  const moneyFlows = "WITH " + selected + ", " +
    "edges AS (" +
    "SELECT processing_date, from_address AS address, to_address AS counterparty, " +
    "toUInt8(1) AS outgoing, toFloat64(amount_usd_sum) AS usd, toFloat64(tx_count) AS txs " +
    "FROM {db:Identifier}.raw_money_flows WHERE " + RANGE +
    " AND (processing_date, from_address) IN (SELECT processing_date, address FROM selected) " +
    "UNION ALL " +
    "SELECT processing_date, to_address AS address, from_address AS counterparty, " +
    "toUInt8(0) AS outgoing, toFloat64(amount_usd_sum) AS usd, toFloat64(tx_count) AS txs " +
    "FROM {db:Identifier}.raw_money_flows WHERE " + RANGE +
    " AND (processing_date, to_address) IN (SELECT processing_date, address FROM selected)), " +
    "pairs AS (SELECT processing_date, address, counterparty, " +
    "sumIf(usd, outgoing = 1) AS out_usd, sumIf(usd, outgoing = 0) AS in_usd, " +
    "sumIf(txs, outgoing = 1) AS out_txs, sumIf(txs, outgoing = 0) AS in_txs, " +
    "max(outgoing) = 1 AS has_out, min(outgoing) = 0 AS has_in, " +
    "(processing_date, counterparty) IN (SELECT processing_date, address FROM selected) " +
    "AS counterparty_alerted " +
    "FROM edges GROUP BY processing_date, address, counterparty) " +
    "SELECT processing_date, address, " +
    "toFloat64(countIf(has_in)) AS in_degree, toFloat64(countIf(has_out)) AS out_degree, " +
    "toFloat64(count()) AS counterparties, " +
    "toFloat64(countIf(has_in AND has_out)) AS reciprocal_counterparties, " +
    "sum(in_usd) AS in_volume_usd, sum(out_usd) AS out_volume_usd, " +
    "sum(in_txs) AS in_tx_count, sum(out_txs) AS out_tx_count, " +
    "toFloat64(countIf(counterparty_alerted)) AS alerted_counterparties, " +
    "sumIf(in_usd + out_usd, counterparty_alerted) AS alerted_volume_usd, " +
    "if(in_volume_usd + out_volume_usd = 0, nan, " +
    "(in_volume_usd - out_volume_usd) / (in_volume_usd + out_volume_usd)) AS balance, " +
    "reciprocal_counterparties / counterparties AS reciprocity, " +
    "if(in_volume_usd + out_volume_usd = 0, nan, " +
    "alerted_volume_usd / (in_volume_usd + out_volume_usd)) AS alerted_volume_share " +
    "FROM pairs GROUP BY processing_date, address ORDER BY processing_date, address";

  const clusterFilter = sampled
    ? " AND (processing_date, cluster_id) IN (SELECT processing_date, cluster_id " +
      "FROM {db:Identifier}.raw_clusters " +
      "ARRAY JOIN if(empty(related_alert_ids), [primary_alert_id], related_alert_ids) AS member " +
      "WHERE " + RANGE + " AND (processing_date, member) IN " +
      "(SELECT processing_date, alert_id FROM selected))"
    : "";
  const clusters = "WITH " + selected + " " +
    "SELECT processing_date, cluster_id, cluster_type, primary_address, primary_alert_id, " +
    "if(empty(related_alert_ids), [primary_alert_id], related_alert_ids) AS member_alert_ids, " +
    "toUInt32(length(addresses_involved)) AS addresses_involved_count, total_alerts, " +
    "toFloat64(total_volume_usd) AS total_volume_usd, severity_max, confidence_avg, " +
    "toFloat64(earliest_alert_timestamp) AS earliest_alert_timestamp, " +
    "toFloat64(latest_alert_timestamp) AS latest_alert_timestamp " +
    "FROM {db:Identifier}.raw_clusters WHERE " + RANGE + clusterFilter + " " +
    "ORDER BY processing_date, cluster_id";

  const hash = "count() AS rows, sum(cityHash64(*)) AS hash_sum, groupBitXor(cityHash64(*)) " +
    "AS hash_xor";
  const fingerprint = "WITH " + selected + " " +
    "SELECT 'raw_alerts' AS source, " + hash + " FROM {db:Identifier}.raw_alerts WHERE " + RANGE +
    alertFilter +
    " UNION ALL SELECT 'raw_features', " + hash + " FROM {db:Identifier}.raw_features WHERE " +
    RANGE + " AND (processing_date, address) IN (SELECT processing_date, address FROM selected)" +
    " UNION ALL SELECT 'raw_clusters', " + hash + " FROM {db:Identifier}.raw_clusters WHERE " +
    RANGE + clusterFilter +
    " UNION ALL SELECT 'raw_money_flows', " + hash + " FROM {db:Identifier}.raw_money_flows " +
    "WHERE " + RANGE + " AND ((processing_date, from_address) IN " +
    "(SELECT processing_date, address FROM selected) OR (processing_date, to_address) IN " +
    "(SELECT processing_date, address FROM selected))" +
    " UNION ALL SELECT 'raw_address_labels', " + hash +
    " FROM {db:Identifier}.raw_address_labels " +
    "WHERE network = {network:String} AND processing_date <= {end:Date} " +
    "AND address IN (SELECT address FROM selected)";

  return { alerts, featuresHead, featuresTail, moneyFlows, clusters, fingerprint };
}

/** The raw_features select list for the present columns, with its identifier parameters. */
export interface FeatureSelect {
  /** `, {c0:Identifier}, toFloat64({c1:Identifier}) AS {c1:Identifier}, ...` */
  sql: string;
  /** Column names and aliases bound to the `{cN:Identifier}` / `{aN:Identifier}` slots. */
  params: Record<string, string>;
  /** Output column names in order. */
  columns: string[];
}

/**
 * The select list reading the present raw_features columns: numbers as they are, Decimal128
 * and UInt64 as Float64 (exact below 2^53), Bool as UInt8, timestamps as Float64 epoch
 * milliseconds, and each activity array as `<name>_entropy` (Shannon entropy of the bins'
 * shares divided by ln(bins), in [0, 1]) and `<name>_peak_share` (largest bin / total);
 * both NaN for an all-zero array. Unused columns are not read.
 *
 * @example
 * ```ts
 * import { featureSelect } from "./extract_sql.ts";
 * const select = featureSelect([{ name: "total_in_usd", type: "Decimal(38, 18)", kind: "float64" }]);
 * console.assert(select.sql === ", toFloat64({c0:Identifier}) AS {c0:Identifier}");
 * console.assert(select.params.c0 === "total_in_usd");
 * ```
 */
export function featureSelect(present: readonly FeatureColumnSpec[]): FeatureSelect {
  let sql = "";
  const params: Record<string, string> = {};
  const columns: string[] = [];
  present.forEach((spec, index) => {
    const column = "{c" + index + ":Identifier}";
    if (spec.kind === "unused") return;
    params["c" + index] = spec.name;
    if (spec.kind === "number") {
      sql += ", " + column;
      columns.push(spec.name);
    } else if (spec.kind === "float64" || spec.kind === "timestamp") {
      sql += ", toFloat64(" + column + ") AS " + column;
      columns.push(spec.name);
    } else if (spec.kind === "flag") {
      sql += ", toUInt8(" + column + ") AS " + column;
      columns.push(spec.name);
    } else {
      const entropy = "{e" + index + ":Identifier}";
      const peak = "{p" + index + ":Identifier}";
      params["e" + index] = spec.name + "_entropy";
      params["p" + index] = spec.name + "_peak_share";
      const total = "arraySum(" + column + ")";
      sql += ", if(" + total + " = 0 OR length(" + column + ") < 2, nan, " +
        "abs(arraySum(arrayMap(v -> if(v = 0, 0., (v / " + total + ") * log(v / " + total + ")), " +
        column + "))) / log(length(" + column + "))) AS " + entropy +
        ", if(" + total + " = 0, nan, arrayMax(" + column + ") / " + total + ") AS " + peak;
      columns.push(spec.name + "_entropy", spec.name + "_peak_share");
    }
  });
  return { sql, params, columns };
}
