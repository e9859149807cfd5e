/**
 * The alert-level feature catalogue (docs/FEATURES.md): alert, address, network, temporal,
 * statistical and cluster features of every extracted alert, each computed lazily as one
 * Float64Array in the alerts table's row order, so only one column is materialised at a
 * time. Labels are never read here.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../errors.ts";
import type { ExtractedData } from "../types.ts";
import {
  dayColumn,
  integerListColumn,
  isNumeric,
  numberColumn,
  stringColumn,
} from "./arrow_columns.ts";
import { groupRows, pairIds, percentiles, zScores } from "./group_stats.ts";
import { levelCodes } from "./levels.ts";
import { checkAlertOrder, pairRows } from "./row_links.ts";

/** The group a feature belongs to in the catalogue. */
export type FeatureGroup = "alert" | "address" | "network" | "temporal" | "statistical" | "cluster";

/** A numeric feature, computed on demand. */
export interface NumericSource {
  /** Feature name. */
  name: string;
  /** Catalogue group. */
  group: FeatureGroup;
  /** Where it comes from, e.g. `raw_alerts.volume_usd`. */
  source: string;
  /** Numeric. */
  kind: "numeric";
  /** One value per row (NaN = missing). */
  values(): Float64Array;
  /** The values of the given alert rows only (-1 = none: NaN), when cheaper than all. */
  valuesAt?(rows: Int32Array): Float64Array;
}

/** A categorical feature, encoded with a dictionary by the matrix builder. */
export interface CategoricalSource {
  /** Feature name. */
  name: string;
  /** Catalogue group. */
  group: FeatureGroup;
  /** Where it comes from. */
  source: string;
  /** Categorical. */
  kind: "categorical";
  /** One category per row; null = missing. */
  values(): (string | null)[];
}

/** A feature of the catalogue, not yet computed. */
export type FeatureSource = NumericSource | CategoricalSource;

/** What every alert-level feature is computed from. */
export interface AlertContext {
  /** Number of alerts. */
  n: number;
  /** processing_date per alert, days since 1970-01-01. */
  days: Int32Array;
  /** alert_id per alert. */
  ids: string[];
  /** raw_features row of each alert, or -1. */
  featureRow: Int32Array;
  /** Money-flow aggregate row of each alert, or -1. */
  flowRow: Int32Array;
  /** The extracted data. */
  data: ExtractedData;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const ROW_KEYS = new Set(["address_row", "processing_date", "address"]);
const TIMESTAMPS = new Set(["first_activity_timestamp", "last_activity_timestamp"]);

function memo<T>(compute: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= compute());
}

function numeric(
  name: string,
  group: FeatureGroup,
  source: string,
  values: () => Float64Array,
): NumericSource {
  return { name, group, source, kind: "numeric", values };
}

/** Reads the keys every alert-level feature needs and links the per-address tables. */
export function alertContext(data: ExtractedData): AlertContext {
  const { alerts } = data;
  const pairs = numberColumn(alerts, "address_row", "alerts");
  const days = dayColumn(alerts, "processing_date", "alerts");
  const ids = stringColumn(alerts, "alert_id", "alerts");
  checkAlertOrder(days, ids);
  return {
    n: alerts.numRows,
    days,
    ids,
    featureRow: pairRows(data.features, "raw_features", pairs),
    flowRow: pairRows(data.moneyFlows, "money flows", pairs),
    data,
  };
}

function gather(source: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i] < 0 ? NaN : source[rows[i]];
  return out;
}

/** A per-address column gathered for alert rows: all of them, or some (`valuesAt`). */
function linked(
  name: string,
  group: FeatureGroup,
  source: string,
  read: () => Float64Array,
  linkRow: Int32Array,
): NumericSource {
  return {
    ...numeric(name, group, source, () => gather(read(), linkRow)),
    valuesAt: (rows) => gather(read(), linkedRows(linkRow, rows)),
  };
}

const linkedCache = new WeakMap<Int32Array, WeakMap<Int32Array, Int32Array>>();

/** `linkRow[rows[i]]` (-1 where `rows[i]` is -1), computed once per pair of arrays. */
function linkedRows(linkRow: Int32Array, rows: Int32Array): Int32Array {
  let byRows = linkedCache.get(linkRow);
  if (byRows === undefined) linkedCache.set(linkRow, byRows = new WeakMap());
  let linked = byRows.get(rows);
  if (linked === undefined) {
    linked = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) linked[i] = rows[i] < 0 ? -1 : linkRow[rows[i]];
    byRows.set(rows, linked);
  }
  return linked;
}

function numericColumns(table: Table, skip: ReadonlySet<string>, source: string): string[] {
  const fields = table.schema.fields.filter((field) => !skip.has(field.name));
  for (const field of fields) {
    if (!isNumeric(field.type)) {
      throw new RiskTrainError(
        "DATA_INVALID",
        "Column " + source + "." + field.name + " is " + String(field.type) + ", expected numbers",
      );
    }
  }
  return fields.map((field) => field.name);
}

function alertGroup(ctx: AlertContext): FeatureSource[] {
  const { alerts } = ctx.data;
  const column = (name: string) => () => numberColumn(alerts, name, "raw_alerts");
  return [
    numeric(
      "alert_confidence",
      "alert",
      "raw_alerts.alert_confidence_score",
      column("alert_confidence_score"),
    ),
    numeric(
      "alert_severity",
      "alert",
      "raw_alerts.severity",
      () => levelCodes(stringColumn(alerts, "severity", "raw_alerts"), "raw_alerts.severity"),
    ),
    numeric("alert_log_volume_usd", "alert", "raw_alerts.volume_usd", () => {
      const volume = numberColumn(alerts, "volume_usd", "raw_alerts");
      return volume.map((v) => Math.sign(v) * Math.log1p(Math.abs(v)));
    }),
    numeric("alert_evidence_count", "alert", "raw_alerts.evidence_json", column("evidence_count")),
    numeric(
      "alert_indicator_count",
      "alert",
      "raw_alerts.risk_indicators",
      column("indicator_count"),
    ),
    {
      name: "alert_typology",
      group: "alert",
      source: "raw_alerts.typology_type",
      kind: "categorical",
      values: () => stringColumn(alerts, "typology_type", "raw_alerts"),
    },
    {
      name: "alert_suspected_address_type",
      group: "alert",
      source: "raw_alerts.suspected_address_type",
      kind: "categorical",
      values: () => stringColumn(alerts, "suspected_address_type", "raw_alerts"),
    },
  ];
}

function addressGroup(ctx: AlertContext): FeatureSource[] {
  const { features } = ctx.data;
  return numericColumns(features, new Set([...ROW_KEYS, ...TIMESTAMPS]), "raw_features").map((
    name,
  ) =>
    linked(
      "addr_" + name,
      "address",
      "raw_features." + name,
      () => numberColumn(features, name, "raw_features"),
      ctx.featureRow,
    )
  );
}

function networkGroup(ctx: AlertContext): FeatureSource[] {
  const flows = ctx.data.moneyFlows;
  return numericColumns(flows, ROW_KEYS, "money flows").map((name) =>
    linked(
      "flow_" + name,
      "network",
      "raw_money_flows (aggregated in SQL)." + name,
      () => numberColumn(flows, name, "money flows"),
      ctx.flowRow,
    )
  );
}

function sinceTimestamp(ctx: AlertContext, column: string): Float64Array {
  const out = new Float64Array(ctx.n).fill(NaN);
  if (ctx.data.features.getChild(column) === null) return out;
  const stamps = gather(numberColumn(ctx.data.features, column, "raw_features"), ctx.featureRow);
  for (let i = 0; i < ctx.n; i++) {
    const stamp = stamps[i];
    if (stamp > 0) out[i] = ((ctx.days[i] + 1) * DAY_MS - stamp) / DAY_MS;
  }
  return out;
}

function temporalGroup(ctx: AlertContext): FeatureSource[] {
  const { alerts } = ctx.data;
  const history = (name: string) => () => numberColumn(alerts, name, "alerts");
  return [
    numeric(
      "time_address_age_days",
      "temporal",
      "raw_features.first_activity_timestamp",
      () => sinceTimestamp(ctx, "first_activity_timestamp"),
    ),
    numeric(
      "time_days_since_last_activity",
      "temporal",
      "raw_features.last_activity_timestamp",
      () => sinceTimestamp(ctx, "last_activity_timestamp"),
    ),
    numeric("time_prior_alerts", "temporal", "raw_alerts (SQL window)", history("prior_alerts")),
    numeric(
      "time_prior_alert_days",
      "temporal",
      "raw_alerts (SQL window)",
      history("prior_alert_days"),
    ),
    numeric(
      "time_days_since_prior_alert",
      "temporal",
      "raw_alerts (SQL window)",
      history("days_since_prior_alert"),
    ),
    numeric(
      "time_same_day_alerts",
      "temporal",
      "raw_alerts (SQL window)",
      history("same_day_alerts"),
    ),
  ];
}

function statisticalGroup(ctx: AlertContext): FeatureSource[] {
  const { alerts } = ctx.data;
  const batches = memo(() => {
    const { ids, count } = pairIds(ctx.days, new Int32Array(ctx.n));
    return groupRows(ids, count);
  });
  const typologies = memo(() => {
    const names = stringColumn(alerts, "typology_type", "raw_alerts");
    const codes = new Map<string, number>();
    const typology = Int32Array.from(names, (name) => {
      if (!codes.has(name)) codes.set(name, codes.size);
      return codes.get(name)!;
    });
    const { ids, count } = pairIds(ctx.days, typology);
    return groupRows(ids, count);
  });
  const logVolume = () => {
    const volume = numberColumn(alerts, "volume_usd", "raw_alerts");
    return volume.map((v) => Math.sign(v) * Math.log1p(Math.abs(v)));
  };
  const confidence = () => numberColumn(alerts, "alert_confidence_score", "raw_alerts");
  const stat = (name: string, source: string, fn: () => Float64Array) =>
    numeric(name, "statistical", source, fn);
  return [
    stat("stat_volume_z_batch", "raw_alerts.volume_usd", () => zScores(logVolume(), batches())),
    stat(
      "stat_volume_pct_batch",
      "raw_alerts.volume_usd",
      () => percentiles(logVolume(), batches()),
    ),
    stat(
      "stat_confidence_z_batch",
      "raw_alerts.alert_confidence_score",
      () => zScores(confidence(), batches()),
    ),
    stat(
      "stat_confidence_pct_batch",
      "raw_alerts.alert_confidence_score",
      () => percentiles(confidence(), batches()),
    ),
    stat(
      "stat_volume_z_typology",
      "raw_alerts.volume_usd",
      () => zScores(logVolume(), typologies()),
    ),
    stat(
      "stat_volume_pct_typology",
      "raw_alerts.volume_usd",
      () => percentiles(logVolume(), typologies()),
    ),
    stat(
      "stat_confidence_z_typology",
      "raw_alerts.alert_confidence_score",
      () => zScores(confidence(), typologies()),
    ),
    stat(
      "stat_confidence_pct_typology",
      "raw_alerts.alert_confidence_score",
      () => percentiles(confidence(), typologies()),
    ),
  ];
}

/** Member alert rows (positions in the alerts table) of each cluster. */
export function clusterMembers(ctx: AlertContext): number[][] {
  const { clusters } = ctx.data;
  if (clusters.numRows === 0) return [];
  const members = integerListColumn(clusters, "member_alert_rows", "raw_clusters");
  for (const rows of members) for (const row of rows) alertRow(ctx, row);
  return members;
}

/** Checks that `row` is a position in the alerts table (`DATA_INVALID` otherwise). */
export function alertRow(ctx: AlertContext, row: number): number {
  if (!(row >= 0 && row < ctx.n)) {
    throw new RiskTrainError(
      "DATA_INVALID",
      "raw_clusters refers to alert row " + row + " of " + ctx.n + " alerts",
    );
  }
  return row;
}

/** The cluster-level values shared by alert rows and cluster rows, per cluster. */
export function clusterValues(clusters: Table): Record<string, Float64Array> {
  const number = (name: string) => numberColumn(clusters, name, "raw_clusters");
  const earliest = number("earliest_alert_timestamp");
  const latest = number("latest_alert_timestamp");
  return {
    cluster_size: number("total_alerts"),
    cluster_volume_usd: number("total_volume_usd"),
    cluster_severity_max: levelCodes(
      stringColumn(clusters, "severity_max", "raw_clusters"),
      "raw_clusters.severity_max",
    ),
    cluster_confidence_avg: number("confidence_avg"),
    cluster_addresses: number("addresses_involved_count"),
    cluster_span_hours: latest.map((value, c) => (value - earliest[c]) / HOUR_MS),
  };
}

/** Sources of the cluster-level values, for the catalogue. */
export const CLUSTER_VALUE_SOURCES: Readonly<Record<string, string>> = {
  cluster_size: "raw_clusters.total_alerts",
  cluster_volume_usd: "raw_clusters.total_volume_usd",
  cluster_severity_max: "raw_clusters.severity_max",
  cluster_confidence_avg: "raw_clusters.confidence_avg",
  cluster_addresses: "raw_clusters.addresses_involved",
  cluster_span_hours: "raw_clusters.earliest/latest_alert_timestamp",
};

function clusterGroup(ctx: AlertContext): FeatureSource[] {
  const assigned = memo(() => {
    const clusterOf = new Int32Array(ctx.n).fill(-1);
    if (ctx.data.clusters.numRows === 0) return { clusterOf, values: null };
    const values = clusterValues(ctx.data.clusters);
    const size = values.cluster_size;
    clusterMembers(ctx).forEach((rows, c) => {
      for (const row of rows) {
        if (clusterOf[row] < 0 || size[c] > size[clusterOf[row]]) clusterOf[row] = c;
      }
    });
    return { clusterOf, values };
  });
  const member = numeric(
    "cluster_member",
    "cluster",
    "raw_clusters.related_alert_ids",
    () => Float64Array.from(assigned().clusterOf, (c) => (c < 0 ? 0 : 1)),
  );
  return [
    member,
    ...Object.keys(CLUSTER_VALUE_SOURCES).map((name) =>
      numeric(name, "cluster", CLUSTER_VALUE_SOURCES[name], () => {
        const { clusterOf, values } = assigned();
        const out = new Float64Array(ctx.n).fill(NaN);
        if (values === null) return out;
        for (let i = 0; i < ctx.n; i++) if (clusterOf[i] >= 0) out[i] = values[name][clusterOf[i]];
        return out;
      })
    ),
  ];
}

/**
 * The alert-level catalogue in matrix column order: alert, address, network, temporal,
 * statistical, cluster.
 */
export function alertFeatureSources(ctx: AlertContext): FeatureSource[] {
  return [
    ...alertGroup(ctx),
    ...addressGroup(ctx),
    ...networkGroup(ctx),
    ...temporalGroup(ctx),
    ...statisticalGroup(ctx),
    ...clusterGroup(ctx),
  ];
}
