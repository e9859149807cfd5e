/**
 * The generator's SQL, one statement per file in ./sql, imported as text modules so they
 * travel with the module graph (local checkout, URL import, `deno compile`).
 *
 * @module
 */
import createAddresses from "./sql/create_addresses.sql" with { type: "text" };
import createBatch from "./sql/create_batch.sql" with { type: "text" };
import createEdges from "./sql/create_edges.sql" with { type: "text" };
import addresses from "./sql/addresses.sql" with { type: "text" };
import alerts from "./sql/alerts.sql" with { type: "text" };
import clusters from "./sql/clusters.sql" with { type: "text" };
import batchAlerted from "./sql/batch_alerted.sql" with { type: "text" };
import edges from "./sql/edges.sql" with { type: "text" };
import batchExtra from "./sql/batch_extra.sql" with { type: "text" };
import moneyFlows from "./sql/money_flows.sql" with { type: "text" };
import features from "./sql/features.sql" with { type: "text" };
import addressLabels from "./sql/address_labels.sql" with { type: "text" };

/**
 * The generator's statements by name. Every value reaches ClickHouse as a query parameter;
 * the database is `{db:Identifier}`.
 */
export const GENERATOR_SQL = {
  /** Creates the helper table of the population's hidden traits. */
  createAddresses,
  /** Creates the helper table of each date's feature-row addresses. */
  createBatch,
  /** Creates the helper table of each date's money-flow edges. */
  createEdges,
  /** Fills the population and its latent risk. */
  addresses,
  /** raw_alerts for a range of dates at one window. */
  alerts,
  /** raw_clusters for a range of dates at one window. */
  clusters,
  /** Records each date's alerted addresses in the batch helper. */
  batchAlerted,
  /** Draws each date's money-flow edges. */
  edges,
  /** Adds sampled never-alerted counterparties to the batch helper. */
  batchExtra,
  /** raw_money_flows for a range of dates at one window. */
  moneyFlows,
  /** raw_features for a range of dates at one window. */
  features,
  /** raw_address_labels for the whole range, every window. */
  addressLabels,
} as const;

/** The helper tables the generator creates in the target database and drops at the end. */
export const HELPER_TABLES: readonly string[] = [
  "_risktrain_gen_addresses",
  "_risktrain_gen_batch",
  "_risktrain_gen_edges",
];
