/**
 * The SQL `extract` runs. Every value is a query parameter: `{db:Identifier}`,
 * `{network:String}`, `{start:Date}`, `{end:Date}`, `{window:UInt16}`, `{limit:UInt64}`,
 * `{seed:UInt32}`, `{history:UInt16}` (the alert history's look-back in days), and `{cN:Identifier}` for raw_features column names. Statements are
 * composed from constant fragments only.
 *
 * @module
 */
import { castExpression, type CastPlan } from "../contract/column_cast.ts";
import {
  FEATURE_COLUMNS,
  type FeatureColumnSpec,
  INPUT_TABLES,
  REQUIRED_COLUMNS,
} from "../contract/contract_columns.ts";
import type { InputTable } from "../types.ts";

/** What each input table is read from: `{db:Identifier}.<table>`, or a subquery over it. */
export type TableSources = Readonly<Record<InputTable, string>>;

/** The input tables read directly. */
export const DIRECT_SOURCES: TableSources = Object.fromEntries(
  INPUT_TABLES.map((table) => [table, "{db:Identifier}." + table]),
) as Record<InputTable, string>;

/** A column the contract check accepted with another type, read as the contract's type. */
export interface ColumnCast {
  /** The input table. */
  table: InputTable;
  /** The column. */
  column: string;
  /** Its type in the database. */
  found: string;
  /** The contract's type it is read as. */
  expected: string;
  /** How. */
  plan: CastPlan;
}

/**
 * A column name of the contract's own constants (REQUIRED_COLUMNS, FEATURE_COLUMNS), quoted:
 * ClickHouse takes no parameter as the alias of a `REPLACE` clause.
 */
function contractColumn(table: InputTable, column: string): string {
  const known = column in REQUIRED_COLUMNS[table] ||
    (table === "raw_features" && FEATURE_COLUMNS.some((spec) => spec.name === column));
  if (!known || !/^[a-z_][a-z0-9_]*$/.test(column)) {
    throw new TypeError("Not a column of the data contract: " + table + "." + column);
  }
  return "`" + column + "`";
}

/**
 * The input tables as extraction reads them: a table with columns of another width (see
 * column_cast.ts) becomes `(SELECT * REPLACE (accurateCast(col, 'Type') AS col, ...) FROM
 * table)`, and a ReplacingMergeTree table is read with FINAL (the latest `_version` of each
 * sorting key). Other tables are read directly. Column names and types in the casts are the
 * contract's constants, never names read from the database.
 *
 * @example
 * ```ts
 * import { castSources } from "./extract_sql.ts";
 * const sources = castSources([
 *   { table: "raw_money_flows", column: "unique_assets", found: "UInt64", expected: "UInt32", plan: "cast" },
 * ], []);
 * console.assert(sources.raw_money_flows.includes("accurateCast(`unique_assets`, 'UInt32')"));
 * console.assert(sources.raw_alerts === "{db:Identifier}.raw_alerts");
 * ```
 */
export function castSources(
  casts: readonly ColumnCast[],
  replacing: readonly InputTable[],
): TableSources {
  const sources: Record<string, string> = {};
  for (const table of INPUT_TABLES) {
    const replaced = casts.filter((cast) => cast.table === table && cast.plan !== "same").map(
      (cast) => {
        const column = contractColumn(table, cast.column);
        return castExpression(column, cast.expected, cast.plan) + " AS " + column;
      },
    );
    const final = replacing.includes(table) ? " FINAL" : "";
    sources[table] = replaced.length === 0 && final === ""
      ? DIRECT_SOURCES[table]
      : "(SELECT *" + (replaced.length > 0 ? " REPLACE (" + replaced.join(", ") + ")" : "") +
        " FROM {db:Identifier}." + table + final + ")";
  }
  return sources as Record<InputTable, string>;
}

/** Engines of the input tables (ReplacingMergeTree ones are read with FINAL). */
export const ENGINES_SQL = "SELECT name, engine FROM system.tables " +
  "WHERE database = {db:String} AND name IN {tables:Array(String)}";

/** `system.columns` of the input tables: one query checks the whole contract. */
export const COLUMNS_SQL = "SELECT table, name, type FROM system.columns " +
  "WHERE database = {db:String} AND table IN {tables:Array(String)} ORDER BY table, position";

/** Whether a database exists. */
export const DATABASE_EXISTS_SQL =
  "SELECT count() AS n FROM system.databases WHERE name = {db:String}";

/** Databases whose name starts with `risk_scoring_` (named when a network is unknown). */
export const NETWORK_DATABASES_SQL = "SELECT name FROM system.databases " +
  "WHERE startsWith(name, 'risk_scoring_') ORDER BY name";

/** Alerts per window_days in the date range, read from `alerts` (a table or subquery). */
export function windowsSql(alerts: string = DIRECT_SOURCES.raw_alerts): string {
  return "SELECT window_days, count() AS alerts FROM " + alerts + " " +
    "WHERE processing_date BETWEEN {start:Date} AND {end:Date} " +
    "GROUP BY window_days ORDER BY window_days";
}

const RANGE =
  "window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}";

/** The alerts of the range at the window: every one, or a seeded sample of at most `limit`. */
function selectedAlerts(alerts: string, sampled: boolean): string {
  const all = "selected AS (SELECT processing_date, alert_id, typology_type, address " +
    "FROM " + alerts + " WHERE " + RANGE;
  if (!sampled) return all + ")";
  return all + " ORDER BY cityHash64(processing_date, alert_id, typology_type, {seed:UInt32}), " +
    "processing_date, alert_id, typology_type LIMIT {limit:UInt64})";
}

const IN_SELECTED_ALERTS = " AND (processing_date, alert_id, typology_type) IN " +
  "(SELECT processing_date, alert_id, typology_type FROM selected)";

/**
 * The distinct alerted (processing_date, address) pairs numbered 0.. in that order:
 * `address_row` joins alerts to their raw_features and money-flow rows.
 */
const PAIRS = "pairs AS (SELECT processing_date AS pair_date, address AS pair_address, " +
  "cityHash64(processing_date, address) AS pair_key, " +
  "toUInt32(row_number() OVER (ORDER BY processing_date, address) - 1) AS address_row " +
  "FROM (SELECT DISTINCT processing_date, address FROM selected))";

/** 64-bit keys of the alerted pairs, for a cheap prefilter (made exact by a later join). */
const KEYS = "pair_keys AS (SELECT cityHash64(processing_date, address) AS pair_key FROM selected)";

const RISK_RANK = "multiIf(risk_level = 'critical', 3, risk_level = 'high', 2, " +
  "risk_level = 'medium', 1, risk_level = 'low', 0, -1)";

/**
 * The alert days of the selected addresses in the range and the `historyDays` before it, at
 * the window: every raw_alerts row (not only a sample's), so a pair's history depends on the
 * source data and the look-back only, never on the range or the sample.
 */
const alertDays = (rawAlerts: string) =>
  "alert_days AS (SELECT processing_date AS day_date, " +
  "toInt32(processing_date) AS day_number, address AS day_address, count() AS day_alerts " +
  "FROM " + rawAlerts + " WHERE window_days = {window:UInt16} " +
  "AND processing_date BETWEEN {start:Date} - toIntervalDay({history:UInt16}) AND {end:Date} " +
  "AND address IN (SELECT address FROM selected) GROUP BY day_date, day_number, day_address)";

/** Alert days of the same address in the `historyDays` before a day, that day excluded. */
const LOOK_BACK = "(PARTITION BY day_address ORDER BY day_number " +
  "RANGE BETWEEN {history:UInt16} PRECEDING AND 1 PRECEDING)";

/**
 * Per alerted pair: its `address_row` and the alert history of its address over the fixed
 * look-back of `historyDays` days before the pair's date (read before the range start too).
 */
const PAIR_HISTORY = "day_history AS (SELECT day_date, day_address, " +
  "toFloat64(sum(day_alerts) OVER " + LOOK_BACK + ") AS prior_alerts, " +
  "toFloat64(count() OVER " + LOOK_BACK + ") AS prior_alert_days, " +
  "if(prior_alert_days = 0, nan, " +
  "toFloat64(day_number - max(day_number) OVER " + LOOK_BACK + ")) AS days_since_prior_alert, " +
  "toFloat64(day_alerts - 1) AS same_day_alerts FROM alert_days), " +
  "pair_history AS (SELECT p.pair_date AS pair_date, p.pair_address AS pair_address, " +
  "p.address_row AS address_row, h.prior_alerts AS prior_alerts, " +
  "h.prior_alert_days AS prior_alert_days, h.days_since_prior_alert AS days_since_prior_alert, " +
  "h.same_day_alerts AS same_day_alerts FROM pairs AS p INNER JOIN day_history AS h " +
  "ON h.day_date = p.pair_date AND h.day_address = p.pair_address)";

/** Settings of the statements that align per-address rows with a LEFT JOIN. */
export const ALIGN_SETTINGS: Readonly<Record<string, number>> = { join_use_nulls: 1 };

/** The statements of one extraction, sampled (`limit` set) or not. */
export interface ExtractStatements {
  /**
   * Alerts with their as-of labels, row numbers and alert history, ordered by
   * (processing_date, alert_id, typology_type).
   */
  alerts: string;
  /** raw_features rows per alerted pair, with `address_row` (select list appended). */
  featuresHead: string;
  /** The rest of the raw_features statement, after the select list. */
  featuresTail: string;
  /** Money-flow aggregates per alerted pair, with `address_row`. */
  moneyFlows: string;
  /** Clusters of the range with their member alerts' row numbers. */
  clusters: string;
  /** Row counts and hashes of the source rows, for the fingerprint. */
  fingerprint: string;
  /**
   * The rows the other statements will return, counted first for progress reports: alerts,
   * alerted (processing_date, address) pairs (one features and one money-flow row each) and
   * clusters of the range (an upper bound when sampled).
   */
  expectedRows: string;
}

/**
 * The statements of one extraction.
 *
 * - alerts: each alert's label as of its date, with an ASOF LEFT JOIN on
 *   `alert.processing_date >= label.processing_date`: the latest label day at or before
 *   the alert, never a later one. On one label day with several rows for an address, the
 *   row with the highest risk_level wins, then the highest confidence_score, then the
 *   greatest label text. `address_row` numbers the alert's (processing_date, address)
 *   pair; the alert history of the address is computed per pair with window functions
 *   over the `historyDays` before the pair's date (read before the range start too), so it
 *   does not depend on the range extracted.
 * - raw_features and money flows: one row per alerted pair (in no particular order: the
 *   `address_row` column links them), NULL where the pair has no row (outer join with
 *   `join_use_nulls`, see ALIGN_SETTINGS).
 * - clusters: `member_alert_rows` (the position in the alerts output of each member alert
 *   extracted: related_alert_ids, else primary_alert_id) and `representative_alert_row`
 *   (the primary alert when extracted, else the first extracted member; -1 when none).
 *
 * @example
 * ```ts
 * import { extractStatements } from "./extract_sql.ts";
 * console.assert(extractStatements(false).alerts.includes("ASOF LEFT JOIN"));
 * ```
 */
export function extractStatements(
  sampled: boolean,
  sources: TableSources = DIRECT_SOURCES,
): ExtractStatements {
  const selected = selectedAlerts(sources.raw_alerts, sampled);
  const alertFilter = sampled ? IN_SELECTED_ALERTS : "";
  const alerts = "WITH " + selected + ", " + PAIRS + ", " + alertDays(sources.raw_alerts) + ", " +
    PAIR_HISTORY +
    ", " +
    "label_days AS (SELECT address AS label_address, processing_date AS label_processing_date, " +
    "toUInt8(1) AS label_found, " +
    "argMax(risk_level, tuple(" + RISK_RANK + ", confidence_score, label)) AS label_risk_level, " +
    "argMax(confidence_score, tuple(" + RISK_RANK + ", confidence_score, label)) " +
    "AS label_confidence_score " +
    "FROM " + sources.raw_address_labels + " " +
    "WHERE network = {network:String} AND processing_date <= {end:Date} " +
    "AND address IN (SELECT address FROM selected) " +
    "GROUP BY label_address, label_processing_date) " +
    "SELECT a.window_days AS window_days, a.processing_date AS processing_date, " +
    "a.alert_id AS alert_id, a.address AS address, a.typology_type AS typology_type, " +
    "a.severity AS severity, a.suspected_address_type AS suspected_address_type, " +
    "a.alert_confidence_score AS alert_confidence_score, a.volume_usd AS volume_usd, " +
    "a.evidence_count AS evidence_count, a.indicator_count AS indicator_count, " +
    "h.address_row AS address_row, " +
    "h.prior_alerts AS prior_alerts, h.prior_alert_days AS prior_alert_days, " +
    "h.days_since_prior_alert AS days_since_prior_alert, h.same_day_alerts AS same_day_alerts, " +
    "l.label_found AS label_found, l.label_risk_level AS label_risk_level, " +
    "l.label_confidence_score AS label_confidence_score, " +
    "l.label_processing_date AS label_processing_date " +
    "FROM (SELECT window_days, processing_date, alert_id, address, typology_type, severity, " +
    "suspected_address_type, alert_confidence_score, toFloat64(volume_usd) AS volume_usd, " +
    "toUInt32(JSONLength(evidence_json)) AS evidence_count, " +
    "toUInt32(length(risk_indicators)) AS indicator_count " +
    "FROM " + sources.raw_alerts + " WHERE " + RANGE + alertFilter + ") AS a " +
    "INNER JOIN pair_history AS h " +
    "ON h.pair_date = a.processing_date AND h.pair_address = a.address " +
    "ASOF LEFT JOIN label_days AS l " +
    "ON a.address = l.label_address AND a.processing_date >= l.label_processing_date " +
    "ORDER BY processing_date, alert_id, typology_type";

  const featuresHead = "WITH " + selected + ", " + PAIRS + ", " + KEYS + ", " +
    "found AS (SELECT processing_date AS feature_date, address AS feature_address";
  const featuresTail = " FROM " + sources.raw_features + " WHERE " + RANGE +
    " AND cityHash64(processing_date, address) IN (SELECT pair_key FROM pair_keys)) " +
    "SELECT p.address_row AS address_row, p.pair_date AS processing_date, " +
    "p.pair_address AS address, f.* EXCEPT (feature_date, feature_address) " +
    "FROM found AS f RIGHT JOIN pairs AS p " +
    "ON f.feature_date = p.pair_date AND f.feature_address = p.pair_address";

  const edges = (address: string, counterparty: string, outgoing: string) =>
    "SELECT cityHash64(processing_date, " + address + ") AS address_key, cityHash64(" +
    counterparty + ") AS counterparty, toUInt8(" + outgoing + ") AS outgoing, " +
    "toFloat64(amount_usd_sum) AS usd, toFloat64(tx_count) AS txs, " +
    "cityHash64(processing_date, " + counterparty + ") IN (SELECT pair_key FROM pair_keys) " +
    "AS counterparty_alerted " +
    "FROM " + sources.raw_money_flows + " WHERE " + RANGE +
    " AND cityHash64(processing_date, " + address + ") IN (SELECT pair_key FROM pair_keys)";
  const moneyFlows = "WITH " + selected + ", " + PAIRS + ", " + KEYS + ", " +
    "edges AS (" + edges("from_address", "to_address", "1") + " UNION ALL " +
    edges("to_address", "from_address", "0") + "), " +
    "per_counterparty AS (SELECT address_key, " +
    "groupBitOr(if(outgoing = 1, 1, 2) + if(counterparty_alerted, 4, 0)) AS bits, " +
    "bitAnd(bits, 2) != 0 AS has_in, bitAnd(bits, 1) != 0 AS has_out, " +
    "bitAnd(bits, 4) != 0 AS alerted, " +
    "sumIf(usd, outgoing = 0) AS usd_in, sumIf(usd, outgoing = 1) AS usd_out, " +
    "sumIf(txs, outgoing = 0) AS txs_in, sumIf(txs, outgoing = 1) AS txs_out " +
    "FROM edges GROUP BY address_key, counterparty), " +
    "per_address AS (SELECT address_key AS flow_key, " +
    "toFloat64(countIf(has_in)) AS in_degree, toFloat64(countIf(has_out)) AS out_degree, " +
    "toFloat64(count()) AS counterparties, " +
    "toFloat64(countIf(has_in AND has_out)) AS reciprocal_counterparties, " +
    "sum(usd_in) AS in_volume_usd, sum(usd_out) AS out_volume_usd, " +
    "sum(txs_in) AS in_tx_count, sum(txs_out) AS out_tx_count, " +
    "toFloat64(countIf(alerted)) AS alerted_counterparties, " +
    "sumIf(usd_in + usd_out, alerted) AS alerted_volume_usd, " +
    "if(in_volume_usd + out_volume_usd = 0, nan, " +
    "(in_volume_usd - out_volume_usd) / (in_volume_usd + out_volume_usd)) AS balance, " +
    "reciprocal_counterparties / counterparties AS reciprocity, " +
    "if(in_volume_usd + out_volume_usd = 0, nan, " +
    "alerted_volume_usd / (in_volume_usd + out_volume_usd)) AS alerted_volume_share " +
    "FROM per_counterparty GROUP BY address_key) " +
    "SELECT p.address_row AS address_row, p.pair_date AS processing_date, " +
    "p.pair_address AS address, f.* EXCEPT (flow_key) " +
    "FROM per_address AS f RIGHT JOIN pairs AS p ON f.flow_key = p.pair_key";

  const clusterFilter = sampled ? " AND m.has_members = 1" : "";
  const clusters = "WITH " + selected + ", " +
    "alert_rows AS (SELECT processing_date AS row_date, alert_id AS row_alert_id, " +
    "toUInt32(row_number() OVER (ORDER BY processing_date, alert_id, typology_type) - 1) " +
    "AS alert_row FROM selected), " +
    "member_ids AS (SELECT processing_date AS member_date, cluster_id AS member_cluster, " +
    "member, position FROM " + sources.raw_clusters + " " +
    "ARRAY JOIN arrayConcat([primary_alert_id], " +
    "if(empty(related_alert_ids), [primary_alert_id], related_alert_ids)) AS member, " +
    "arrayEnumerate(arrayConcat([primary_alert_id], " +
    "if(empty(related_alert_ids), [primary_alert_id], related_alert_ids))) AS position " +
    "WHERE " + RANGE + "), " +
    "members AS (SELECT member_date, member_cluster, toUInt8(1) AS has_members, " +
    "arrayDistinct(groupArrayIf(r.alert_row, position > 1)) AS member_alert_rows, " +
    "toInt64(argMin(r.alert_row, position)) AS representative_alert_row " +
    "FROM member_ids AS i INNER JOIN alert_rows AS r " +
    "ON r.row_date = i.member_date AND r.row_alert_id = i.member " +
    "GROUP BY member_date, member_cluster) " +
    "SELECT c.processing_date AS processing_date, c.cluster_id AS cluster_id, " +
    "c.cluster_type AS cluster_type, c.primary_address AS primary_address, " +
    "c.primary_alert_id AS primary_alert_id, m.member_alert_rows AS member_alert_rows, " +
    "if(m.has_members = 1, m.representative_alert_row, -1) AS representative_alert_row, " +
    "toUInt32(length(c.addresses_involved)) AS addresses_involved_count, " +
    "c.total_alerts AS total_alerts, toFloat64(c.total_volume_usd) AS total_volume_usd, " +
    "c.severity_max AS severity_max, c.confidence_avg AS confidence_avg, " +
    "toFloat64(c.earliest_alert_timestamp) AS earliest_alert_timestamp, " +
    "toFloat64(c.latest_alert_timestamp) AS latest_alert_timestamp " +
    "FROM " + sources.raw_clusters + " AS c LEFT JOIN members AS m " +
    "ON m.member_date = c.processing_date AND m.member_cluster = c.cluster_id " +
    "WHERE c.window_days = {window:UInt16} " +
    "AND c.processing_date BETWEEN {start:Date} AND {end:Date}" + clusterFilter + " " +
    "ORDER BY processing_date, cluster_id";

  const hash = "count() AS rows, sum(cityHash64(*)) AS hash_sum, groupBitXor(cityHash64(*)) " +
    "AS hash_xor";
  const fingerprint = "WITH " + selected + " " +
    "SELECT 'raw_alerts' AS source, " + hash + " FROM " + sources.raw_alerts + " WHERE " + RANGE +
    alertFilter +
    " UNION ALL SELECT 'raw_features', " + hash + " FROM " + sources.raw_features + " WHERE " +
    RANGE +
    " UNION ALL SELECT 'raw_clusters', " + hash + " FROM " + sources.raw_clusters + " WHERE " +
    RANGE +
    " UNION ALL SELECT 'raw_money_flows', " + hash + " FROM " + sources.raw_money_flows + " " +
    "WHERE " + RANGE +
    " UNION ALL SELECT 'raw_address_labels', " + hash +
    " FROM " + sources.raw_address_labels + " " +
    "WHERE network = {network:String} AND processing_date <= {end:Date}" +
    " UNION ALL SELECT 'raw_alerts_history', " + hash + " FROM " + sources.raw_alerts + " " +
    "WHERE window_days = {window:UInt16} AND processing_date < {start:Date} " +
    "AND processing_date >= {start:Date} - toIntervalDay({history:UInt16})";

  const expectedRows = "WITH " + selected + " SELECT count() AS alerts, " +
    "uniqExact(processing_date, address) AS pairs, (SELECT count() FROM " +
    sources.raw_clusters + " WHERE " + RANGE + ") AS clusters FROM selected";

  return { alerts, featuresHead, featuresTail, moneyFlows, clusters, fingerprint, expectedRows };
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
 * milliseconds, and each activity array as `<name>_peak_share` (largest bin / total, NaN for
 * an all-zero array; its entropy is raw_features' own `hourly_entropy` / `daily_entropy`).
Unused columns are not read.
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
      const peak = "{p" + index + ":Identifier}";
      params["p" + index] = spec.name + "_peak_share";
      const total = "arraySum(" + column + ")";
      sql += ", if(" + total + " = 0, nan, arrayMax(" + column + ") / " + total + ") AS " + peak;
      columns.push(spec.name + "_peak_share");
    }
  });
  return { sql, params, columns };
}
