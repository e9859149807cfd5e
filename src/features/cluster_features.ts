/**
 * The cluster-level catalogue for `cluster_scorer`: one row per cluster with the cluster's
 * own figures, its representative alert's categorical, address and network features, and
 * the mean/max/min/std of its member alerts' alert, temporal and statistical features.
 *
 * @module
 */
import { dayColumn, numberColumn, stringColumn } from "./arrow_columns.ts";
import {
  type AlertContext,
  alertRow,
  CLUSTER_VALUE_SOURCES,
  clusterMembers,
  clusterValues,
  type FeatureSource,
  type NumericSource,
} from "./alert_features.ts";

/** Groups of alert features aggregated over a cluster's members. */
const AGGREGATED_GROUPS = new Set(["alert", "temporal", "statistical"]);
/** Groups taken from the cluster's representative alert. */
const REPRESENTED_GROUPS = new Set(["address", "network"]);
/** The statistics of member values, in column order. */
export const AGGREGATES = ["mean", "max", "min", "std"] as const;

/** The cluster rows and their features. */
export interface ClusterFeatures {
  /** Number of clusters. */
  n: number;
  /** processing_date per cluster, days since 1970-01-01. */
  days: Int32Array;
  /** cluster_id per cluster. */
  ids: string[];
  /** primary_address per cluster, its representative alert's address when empty. */
  addresses: string[];
  /** Member alert rows per cluster. */
  members: number[][];
  /** The cluster-level catalogue in column order. */
  sources: FeatureSource[];
}

function memo<T>(compute: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= compute());
}

/** Mean, max, min and population std of the members' values per cluster (NaN left out). */
function aggregateAll(
  values: Float64Array,
  members: number[][],
): Record<typeof AGGREGATES[number], Float64Array> {
  const size = members.length;
  const stats = {
    mean: new Float64Array(size),
    max: new Float64Array(size),
    min: new Float64Array(size),
    std: new Float64Array(size),
  };
  for (let c = 0; c < size; c++) {
    const rows = members[c];
    let n = 0;
    let sum = 0;
    let max = -Infinity;
    let min = Infinity;
    for (let k = 0; k < rows.length; k++) {
      const x = values[rows[k]];
      if (x !== x) continue;
      n++;
      sum += x;
      if (x > max) max = x;
      if (x < min) min = x;
    }
    const mean = sum / n;
    let squares = 0;
    for (let k = 0; k < rows.length; k++) {
      const x = values[rows[k]];
      if (x === x) squares += (x - mean) * (x - mean);
    }
    stats.mean[c] = n === 0 ? NaN : mean;
    stats.max[c] = n === 0 ? NaN : max;
    stats.min[c] = n === 0 ? NaN : min;
    stats.std[c] = n === 0 ? NaN : Math.sqrt(squares / n);
  }
  return stats;
}

/**
 * Builds the cluster rows' feature sources from the alert-level ones. The representative
 * alert of a cluster is its primary alert when extracted, else its first extracted member;
 * a cluster without extracted members has NaN for every member-derived feature.
 */
export function clusterFeatureSources(
  ctx: AlertContext,
  alertSources: readonly FeatureSource[],
): ClusterFeatures {
  const { clusters } = ctx.data;
  const n = clusters.numRows;
  const days = dayColumn(clusters, "processing_date", "raw_clusters");
  const ids = stringColumn(clusters, "cluster_id", "raw_clusters");
  const members = clusterMembers(ctx);
  const representative = memo(() =>
    Int32Array.from(
      numberColumn(clusters, "representative_alert_row", "raw_clusters"),
      (row) => (row < 0 ? -1 : alertRow(ctx, row)),
    )
  );
  const values = memo(() => clusterValues(clusters));
  const numeric = (name: string, source: string, fn: () => Float64Array): NumericSource => ({
    name,
    group: "cluster",
    source,
    kind: "numeric",
    values: fn,
  });
  const typologies = memo(() => stringColumn(ctx.data.alerts, "typology_type", "raw_alerts"));

  const sources: FeatureSource[] = [
    {
      name: "cluster_type",
      group: "cluster",
      source: "raw_clusters.cluster_type",
      kind: "categorical",
      values: () => stringColumn(clusters, "cluster_type", "raw_clusters"),
    },
    ...Object.keys(CLUSTER_VALUE_SOURCES).map((name) =>
      numeric(name, CLUSTER_VALUE_SOURCES[name], () => values()[name])
    ),
    numeric(
      "cluster_members_found",
      "raw_clusters.related_alert_ids",
      () => Float64Array.from(members, (rows) => rows.length),
    ),
    numeric(
      "cluster_typologies",
      "raw_alerts.typology_type",
      () =>
        Float64Array.from(members, (rows) => new Set(rows.map((row) => typologies()[row])).size),
    ),
  ];
  for (const alert of alertSources) {
    if (alert.kind === "categorical" && alert.group === "alert") {
      sources.push({
        ...alert,
        values: () => {
          const all = alert.values();
          return Array.from(representative(), (row) => (row < 0 ? null : all[row]));
        },
      });
    } else if (alert.kind === "numeric" && REPRESENTED_GROUPS.has(alert.group)) {
      sources.push({
        ...alert,
        valuesAt: undefined,
        values: () => {
          if (alert.valuesAt) return alert.valuesAt(representative());
          const all = alert.values();
          return Float64Array.from(representative(), (row) => (row < 0 ? NaN : all[row]));
        },
      });
    }
  }
  for (const alert of alertSources) {
    if (alert.kind !== "numeric" || !AGGREGATED_GROUPS.has(alert.group)) continue;
    let cached: ReturnType<typeof aggregateAll> | undefined;
    for (const statistic of AGGREGATES) {
      sources.push({
        name: alert.name + "_" + statistic,
        group: alert.group,
        source: alert.source,
        kind: "numeric",
        values: () => {
          cached ??= aggregateAll(alert.values(), members);
          const out = cached[statistic];
          if (statistic === AGGREGATES[AGGREGATES.length - 1]) cached = undefined;
          return out;
        },
      });
    }
  }
  const alertAddresses = stringColumn(ctx.data.alerts, "address", "alerts");
  const primary = stringColumn(clusters, "primary_address", "raw_clusters");
  const addresses = primary.map((address, c) => {
    const row = representative()[c];
    return address !== "" || row < 0 ? address : alertAddresses[row];
  });
  return { n, days, ids, addresses, members, sources };
}
