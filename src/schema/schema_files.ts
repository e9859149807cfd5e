/**
 * The DDL of the data contract, one statement per table, in apply order. The .sql files
 * of schema/ are imported as text modules, so they travel with the module graph: from a
 * local checkout, from a URL import of mod.ts, and inside a `deno compile` binary.
 *
 * @module
 */
import rawAlerts from "../../schema/01_raw_alerts.sql" with { type: "text" };
import rawFeatures from "../../schema/02_raw_features.sql" with { type: "text" };
import rawClusters from "../../schema/03_raw_clusters.sql" with { type: "text" };
import rawMoneyFlows from "../../schema/04_raw_money_flows.sql" with { type: "text" };
import rawAddressLabels from "../../schema/05_raw_address_labels.sql" with { type: "text" };
import alertScores from "../../schema/06_alert_scores.sql" with { type: "text" };
import alertRankings from "../../schema/07_alert_rankings.sql" with { type: "text" };
import clusterScores from "../../schema/08_cluster_scores.sql" with { type: "text" };
import batchMetadata from "../../schema/09_batch_metadata.sql" with { type: "text" };
import trainedModels from "../../schema/10_trained_models.sql" with { type: "text" };
import alertScoresScope from "../../schema/11_alert_scores_scope.sql" with { type: "text" };
import alertRankingsScope from "../../schema/12_alert_rankings_scope.sql" with { type: "text" };
import clusterScoresScope from "../../schema/13_cluster_scores_scope.sql" with { type: "text" };
import batchMetadataScope from "../../schema/14_batch_metadata_scope.sql" with { type: "text" };

/** One table of the data contract: its name and its `CREATE TABLE IF NOT EXISTS` DDL. */
export interface SchemaFile {
  /** Table name, e.g. `raw_alerts`. */
  readonly table: string;
  /** The file's DDL; the database is the `{db:Identifier}` query parameter. */
  readonly sql: string;
}

/**
 * The contract's tables in apply order (the order of the numbered files in schema/).
 *
 * @example
 * ```ts
 * import { SCHEMA_FILES } from "./schema_files.ts";
 * console.assert(SCHEMA_FILES[0].table === "raw_alerts");
 * ```
 */
export const SCHEMA_FILES: readonly SchemaFile[] = [
  { table: "raw_alerts", sql: rawAlerts },
  { table: "raw_features", sql: rawFeatures },
  { table: "raw_clusters", sql: rawClusters },
  { table: "raw_money_flows", sql: rawMoneyFlows },
  { table: "raw_address_labels", sql: rawAddressLabels },
  { table: "alert_scores", sql: alertScores },
  { table: "alert_rankings", sql: alertRankings },
  { table: "cluster_scores", sql: clusterScores },
  { table: "batch_metadata", sql: batchMetadata },
  { table: "trained_models", sql: trainedModels },
];

/**
 * Upgrades of tables created by an earlier schema, applied after {@linkcode SCHEMA_FILES}
 * (idempotent: `ADD COLUMN IF NOT EXISTS`): the scoring tables' network and window_days.
 *
 * @example
 * ```ts
 * import { SCHEMA_UPGRADES } from "./schema_files.ts";
 * console.assert(SCHEMA_UPGRADES[0].table === "alert_scores");
 * ```
 */
export const SCHEMA_UPGRADES: readonly SchemaFile[] = [
  { table: "alert_scores", sql: alertScoresScope },
  { table: "alert_rankings", sql: alertRankingsScope },
  { table: "cluster_scores", sql: clusterScoresScope },
  { table: "batch_metadata", sql: batchMetadataScope },
];
