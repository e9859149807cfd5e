/**
 * The input tables of the data contract as `extract` reads and `importSnapshots` writes them:
 * every column with the type ClickHouse reports for it in `system.columns`, whether it may be
 * missing, and how a raw_features column is turned into feature columns.
 *
 * @module
 */
import type { InputTable } from "../types.ts";

/** The input tables `extract` reads, in the order it checks them. */
export const INPUT_TABLES = [
  "raw_alerts",
  "raw_features",
  "raw_clusters",
  "raw_money_flows",
  "raw_address_labels",
] as const satisfies readonly InputTable[];

/** `Decimal128(18)` as `system.columns` spells it. */
const DECIMAL = "Decimal(38, 18)";

/** Required columns (keys, labels, alert and cluster fields) by table, with their types. */
export const REQUIRED_COLUMNS: Readonly<Record<InputTable, Readonly<Record<string, string>>>> = {
  raw_alerts: {
    window_days: "UInt16",
    processing_date: "Date",
    alert_id: "String",
    address: "String",
    typology_type: "String",
    pattern_id: "String",
    pattern_type: "String",
    severity: "String",
    suspected_address_type: "String",
    suspected_address_subtype: "String",
    alert_confidence_score: "Float32",
    description: "String",
    volume_usd: DECIMAL,
    evidence_json: "String",
    risk_indicators: "Array(String)",
    created_at: "DateTime",
  },
  raw_features: {
    window_days: "UInt16",
    processing_date: "Date",
    address: "String",
    created_at: "DateTime",
  },
  raw_clusters: {
    window_days: "UInt16",
    processing_date: "Date",
    cluster_id: "String",
    cluster_type: "String",
    primary_address: "String",
    pattern_id: "String",
    primary_alert_id: "String",
    related_alert_ids: "Array(String)",
    addresses_involved: "Array(String)",
    total_alerts: "UInt32",
    total_volume_usd: DECIMAL,
    severity_max: "String",
    confidence_avg: "Float32",
    earliest_alert_timestamp: "UInt64",
    latest_alert_timestamp: "UInt64",
    created_at: "DateTime",
  },
  raw_money_flows: {
    window_days: "UInt16",
    processing_date: "Date",
    from_address: "String",
    to_address: "String",
    tx_count: "UInt64",
    amount_sum: DECIMAL,
    amount_usd_sum: DECIMAL,
    first_seen_timestamp: "UInt64",
    last_seen_timestamp: "UInt64",
    active_days: "UInt32",
    avg_tx_size_usd: DECIMAL,
    unique_assets: "UInt32",
    dominant_asset: "String",
    hourly_pattern: "Array(UInt16)",
    weekly_pattern: "Array(UInt16)",
    reciprocity_ratio: "Float32",
    is_bidirectional: "Bool",
    created_at: "DateTime",
  },
  raw_address_labels: {
    processing_date: "Date",
    window_days: "UInt16",
    network: "String",
    address: "String",
    label: "String",
    network_type: "String",
    address_type: "String",
    address_subtype: "String",
    risk_level: "String",
    confidence_score: "Float32",
    trust_level: "String",
    source: "String",
  },
};

/**
 * How an optional raw_features column is read:
 * - `number`: a numeric feature, sent as is (UInt8/UInt32/Float32/Float64);
 * - `float64`: a Decimal128 USD amount or a UInt64 counter, converted with `toFloat64` in
 *   SQL (exact below 2^53, rounded to the nearest double above it);
 * - `flag`: a Bool, sent as UInt8 0/1;
 * - `timestamp`: UInt64 epoch milliseconds, sent as Float64 for the temporal features only;
 * - `activity`: an Array(UInt16) of activity bins, summarised in SQL as a peak share (the
 *   bins' entropy is raw_features' own hourly_entropy / daily_entropy);
 * - `unused`: read by no feature (a nominal id or a free-text asset name).
 */
export type FeatureColumnKind = "number" | "float64" | "flag" | "timestamp" | "activity" | "unused";

/** An optional raw_features column: its contract type and how it is read. */
export interface FeatureColumnSpec {
  /** Column name. */
  name: string;
  /** Type as `system.columns` reports it. */
  type: string;
  /** How it is read. */
  kind: FeatureColumnKind;
}

function specs(type: string, kind: FeatureColumnKind, names: string): FeatureColumnSpec[] {
  return names.trim().split(/\s+/).map((name) => ({ name, type, kind }));
}

/**
 * The optional raw_features columns in contract order (upstream snapshots drop some), then
 * the seven a later upstream version adds.
 */
export const FEATURE_COLUMNS: readonly FeatureColumnSpec[] = [
  ...specs(
    "UInt32",
    "number",
    `degree_in degree_out degree_total unique_counterparties activity_days activity_span_days
     unique_assets_in unique_assets_out kcore`,
  ),
  ...specs("UInt32", "unused", "community_id"),
  ...specs(
    "UInt32",
    "number",
    `khop1_count khop2_count khop3_count outlier_transactions unique_recipients_count
     unique_senders_count`,
  ),
  ...specs("UInt64", "float64", "tx_in_count tx_out_count tx_total_count"),
  ...specs("UInt64", "timestamp", "first_activity_timestamp last_activity_timestamp"),
  ...specs("UInt8", "number", "peak_hour peak_day peak_activity_hour peak_activity_day"),
  ...specs(
    DECIMAL,
    "float64",
    `total_in_usd total_out_usd net_flow_usd total_volume_usd avg_tx_in_usd avg_tx_out_usd
     median_tx_in_usd median_tx_out_usd max_tx_usd min_tx_usd avg_daily_volume_usd
     khop1_volume_usd khop2_volume_usd khop3_volume_usd`,
  ),
  ...specs(
    "Float64",
    "number",
    "amount_variance amount_skewness amount_kurtosis volume_std volume_cv flow_concentration",
  ),
  ...specs(
    "Float32",
    "number",
    `regularity_score burst_factor reciprocity_ratio flow_diversity counterparty_concentration
     concentration_ratio velocity_score structuring_score asset_diversity_score hourly_entropy
     daily_entropy weekend_transaction_ratio night_transaction_ratio small_transaction_ratio
     consistency_score pagerank betweenness closeness clustering_coefficient centrality_score
     flow_reciprocity_entropy counterparty_stability flow_burstiness transaction_regularity
     amount_predictability behavioral_anomaly_score graph_anomaly_score
     neighborhood_anomaly_score global_anomaly_score suspicious_pattern_score
     completeness_score quality_score outlier_score confidence_score`,
  ),
  ...specs("String", "unused", "dominant_asset_in dominant_asset_out"),
  ...specs("Array(UInt16)", "activity", "hourly_activity daily_activity"),
  ...specs(
    "Bool",
    "flag",
    `is_exchange_like is_whale is_mixer_like is_contract_like is_new_address
     is_dormant_reactivated is_high_volume_trader is_hub_address is_retail_active
     is_whale_inactive is_retail_inactive is_regular_user`,
  ),
  // Added by a later upstream version (shared/DATA_CONTRACT.md, "Upstream drift"): edge
  // relationship features. Older snapshots and the generator lack them. Float64, so that
  // any numeric type the upstream gives them (integers, Float32) is only narrower.
  ...specs(
    "Float64",
    "number",
    `avg_relationship_age_days max_relationship_age_days bidirectional_relationship_ratio
     avg_edge_reciprocity multi_asset_edge_ratio edge_hourly_entropy edge_weekly_entropy`,
  ),
];

/**
 * Normalises a `system.columns` type for comparison with the contract: a
 * `LowCardinality(...)` wrapper (a storage choice, same values) and a DateTime's time zone
 * are dropped.
 *
 * @example
 * ```ts
 * import { normaliseType } from "./contract_columns.ts";
 * console.assert(normaliseType("LowCardinality(String)") === "String");
 * console.assert(normaliseType("DateTime('UTC')") === "DateTime");
 * ```
 */
export function normaliseType(type: string): string {
  return type
    .replace(/LowCardinality\(([^()]*)\)/g, "$1")
    .replace(/^DateTime\('[^']*'\)$/, "DateTime");
}
