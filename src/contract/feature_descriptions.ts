/**
 * One-line descriptions of the feature catalogue (docs/FEATURES.md), for the reason codes
 * of scores and the report's feature tables.
 *
 * @module
 */

const FIXED: Readonly<Record<string, string>> = {
  alert_confidence: "Detector's confidence in the alert (0..1)",
  alert_severity: "Alert severity: low 0, medium 1, high 2, critical 3",
  alert_log_volume_usd: "Alert volume in USD, log scale",
  alert_evidence_count: "Number of evidence items the detector attached",
  alert_indicator_count: "Number of risk indicators on the alert",
  alert_typology: "Typology of the detector that raised the alert",
  alert_suspected_address_type: "Address type the detector suspects",
  time_address_age_days: "Days since the address's first activity",
  time_days_since_last_activity: "Days since the address's last activity",
  time_prior_alerts: "Alerts on the address in the look-back before this date",
  time_prior_alert_days: "Days with an alert on the address in the look-back",
  time_days_since_prior_alert: "Days since the address's previous alert",
  time_same_day_alerts: "Other alerts on the address in the same batch",
  stat_volume_z_batch: "Volume z-score among the batch's alerts",
  stat_volume_pct_batch: "Volume percentile among the batch's alerts",
  stat_confidence_z_batch: "Confidence z-score among the batch's alerts",
  stat_confidence_pct_batch: "Confidence percentile among the batch's alerts",
  stat_volume_z_typology: "Volume z-score among the batch's alerts of the same typology",
  stat_volume_pct_typology: "Volume percentile among the batch's alerts of the same typology",
  stat_confidence_z_typology: "Confidence z-score among the batch's alerts of the same typology",
  stat_confidence_pct_typology:
    "Confidence percentile among the batch's alerts of the same typology",
  cluster_member: "Whether the alert belongs to a cluster of its batch",
  cluster_size: "Alerts in the cluster",
  cluster_volume_usd: "Total USD volume of the cluster",
  cluster_severity_max: "Highest severity in the cluster",
  cluster_confidence_avg: "Mean detector confidence in the cluster",
  cluster_addresses: "Addresses involved in the cluster",
  cluster_span_hours: "Hours between the cluster's first and last alert",
  cluster_type: "Kind of cluster",
  cluster_members_found: "Member alerts of the cluster present in the data",
  cluster_typologies: "Distinct typologies among the cluster's alerts",
  flow_in_degree: "Counterparties sending to the address",
  flow_out_degree: "Counterparties receiving from the address",
  flow_counterparties: "Distinct counterparties of the address",
  flow_reciprocal_counterparties: "Counterparties with flows both ways",
  flow_in_volume_usd: "USD received by the address",
  flow_out_volume_usd: "USD sent by the address",
  flow_in_tx_count: "Transactions received by the address",
  flow_out_tx_count: "Transactions sent by the address",
  flow_alerted_counterparties: "Counterparties alerted in the same batch",
  flow_alerted_volume_usd: "USD exchanged with counterparties alerted in the same batch",
  flow_balance: "Net flow share: (in - out) / (in + out) volume",
  flow_reciprocity: "Share of counterparties with flows both ways",
  flow_alerted_volume_share: "Share of the volume exchanged with alerted counterparties",
};

const AGGREGATES: Readonly<Record<string, string>> = {
  _mean: "Mean",
  _max: "Maximum",
  _min: "Minimum",
  _std: "Standard deviation",
};

/**
 * The catalogue's one-line description of a feature: fixed features by name, `addr_<column>`
 * as the raw_features column of the alerted address, `<feature>_mean|_max|_min|_std` as that
 * statistic over the cluster's member alerts.
 *
 * @example
 * ```ts
 * import { describeFeature } from "./feature_descriptions.ts";
 * console.assert(describeFeature("addr_pagerank") === "Address's pagerank (raw_features)");
 * console.assert(describeFeature("alert_severity").startsWith("Alert severity"));
 * ```
 */
export function describeFeature(name: string): string {
  const fixed = FIXED[name];
  if (fixed !== undefined) return fixed;
  if (name.startsWith("addr_")) {
    return "Address's " + name.slice(5).replaceAll("_", " ") + " (raw_features)";
  }
  for (const [suffix, label] of Object.entries(AGGREGATES)) {
    if (name.endsWith(suffix) && FIXED[name.slice(0, -suffix.length)] !== undefined) {
      const base = FIXED[name.slice(0, -suffix.length)];
      return label + " over the cluster's alerts: " + base.charAt(0).toLowerCase() + base.slice(1);
    }
  }
  return name.replaceAll("_", " ");
}
