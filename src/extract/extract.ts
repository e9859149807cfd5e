/**
 * `extract`: reads one network's date range at one window from ClickHouse into Arrow
 * tables, with labels as of each alert's date and money-flow aggregates computed in SQL.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import type {
  ClickHouse,
  ExtractedData,
  ExtractProgress,
  ExtractQuery,
  QueryParams,
} from "../types.ts";
import { checkContract } from "./check_contract.ts";
import { collectBatches, type ProgressTotals } from "./collect_batches.ts";
import {
  ALIGN_SETTINGS,
  castSources,
  type ExtractStatements,
  extractStatements,
  featureSelect,
  windowsSql,
} from "./extract_sql.ts";
import { DEFAULT_HISTORY_DAYS, parseExtractQuery } from "./extract_query.ts";

const logger = getLogger(["risktrain", "extract"]);

/** Columns of the alerts table `extract` returns. */
export const ALERT_COLUMNS = [
  "window_days",
  "processing_date",
  "alert_id",
  "address",
  "typology_type",
  "severity",
  "suspected_address_type",
  "alert_confidence_score",
  "volume_usd",
  "evidence_count",
  "indicator_count",
  "address_row",
  "prior_alerts",
  "prior_alert_days",
  "days_since_prior_alert",
  "same_day_alerts",
] as const;

/** Columns of the labels table `extract` returns: one row per alert, in alert order. */
export const LABEL_COLUMNS = [
  "processing_date",
  "alert_id",
  "label_found",
  "label_risk_level",
  "label_confidence_score",
  "label_processing_date",
] as const;

/** Options of {@linkcode extract}. */
export interface ExtractOptions {
  /** Stops the extraction promptly; it then rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Called after each Arrow record batch with the rows and bytes received so far. */
  onProgress?: (progress: ExtractProgress) => void;
}

function formatWindows(windows: readonly number[]): string {
  return windows.join(", ");
}

async function resolveWindow(
  ch: ClickHouse,
  sql: string,
  params: QueryParams,
  network: string,
  startDate: string,
  endDate: string,
  requested: number | undefined,
  signal?: AbortSignal,
): Promise<number> {
  const table = await ch.query(sql, { params, signal });
  const windows = Array.from(table.getChild("window_days") ?? [], (value) => Number(value));
  const range = network + " between " + startDate + " and " + endDate;
  if (requested === undefined) {
    if (windows.length === 0) {
      throw new RiskTrainError("NO_DATA", "No alerts found for " + range);
    }
    if (windows.length > 1) {
      throw new RiskTrainError(
        "CONFIG_INVALID",
        "The range holds several windows, choose one with windowDays: " +
          formatWindows(windows) + " (alerts for " + range + ")",
      );
    }
    return windows[0];
  }
  if (!windows.includes(requested)) {
    const others = windows.length > 0
      ? " (windows in the range: " + formatWindows(windows) + ")"
      : "";
    throw new RiskTrainError(
      "NO_DATA",
      "No alerts found for " + range + " at window " + requested + others,
    );
  }
  return requested;
}

async function fingerprintOf(
  ch: ClickHouse,
  sql: string,
  params: QueryParams,
  identity: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<string> {
  const table = await ch.query(sql, { params, signal });
  const sources = Array.from(table.getChild("source") ?? [], String);
  const rows = Array.from(table.getChild("rows") ?? [], String);
  const sums = Array.from(table.getChild("hash_sum") ?? [], String);
  const xors = Array.from(table.getChild("hash_xor") ?? [], String);
  const parts = sources.map((source, i) => [source, rows[i], sums[i], xors[i]]);
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const text = JSON.stringify({ ...identity, parts });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Extracts one network's alerts, the raw_features rows of the alerted addresses, clusters,
 * per-address money-flow aggregates and each alert's label as of its processing_date, as
 * Arrow tables streamed batch by batch.
 *
 * USD amounts (Decimal128) arrive as Float64, UInt64 counters and timestamps as Float64
 * (exact below 2^53, rounded to the nearest double above). The labels table has one row per
 * alert in the alerts table's order, (processing_date, alert_id, typology_type). Rows are
 * linked by numbers ClickHouse assigns: `alerts.address_row` (0.. per alerted
 * (processing_date, address) pair, also carried by the rows of `features` and `moneyFlows`,
 * whose values are NULL where the pair has no data), and `clusters.member_alert_rows` and
 * `clusters.representative_alert_row` (positions in the alerts table). Fails fast with a RiskTrainError for an invalid query
 * (`CONFIG_INVALID`), an unknown network or database (`DATABASE_NOT_FOUND`), missing tables
 * (`TABLE_NOT_FOUND`), missing required columns or wrong types (`CONTRACT_VIOLATION`), an
 * ambiguous window (`CONFIG_INVALID`) and an empty range (`NO_DATA`).
 *
 * @example
 * ```ts ignore
 * import { extract } from "./extract.ts";
 * const data = await extract(ch, {
 *   network: "demo",
 *   startDate: "2024-01-01",
 *   endDate: "2024-01-31",
 *   windowDays: 7,
 * });
 * console.log(data.alerts.numRows, data.provenance.fingerprint);
 * ```
 */
export async function extract(
  source: ClickHouse,
  query: ExtractQuery,
  options: ExtractOptions = {},
): Promise<ExtractedData> {
  const { signal, onProgress } = options;
  const parsed = parseExtractQuery(query);
  const { network, startDate, endDate } = parsed;
  const historyDays = parsed.historyDays ?? DEFAULT_HISTORY_DAYS;
  const database = parsed.database ?? "risk_scoring_" + network;
  throwIfAborted(signal);

  const contract = await checkContract(
    source,
    database,
    network,
    parsed.database !== undefined,
    signal,
  );
  if (contract.missingFeatureColumns.length > 0) {
    logger.warn(
      "Optional raw_features columns missing in {database}: {columns}",
      { database, columns: contract.missingFeatureColumns.join(", ") },
    );
  }

  if (contract.casts.length > 0) {
    logger.info("Casting columns of another width in {database}: {columns}", {
      database,
      columns: contract.casts.map((cast) =>
        cast.table + "." + cast.column + " " + cast.found + " as " + cast.expected
      ).join(", "),
    });
  }
  const sources = castSources(contract.casts, contract.replacingTables);
  const rangeParams = { db: database, start: startDate, end: endDate };
  const windowDays = await resolveWindow(
    source,
    windowsSql(sources.raw_alerts),
    rangeParams,
    network,
    startDate,
    endDate,
    parsed.windowDays,
    signal,
  );
  const sampled = parsed.limit !== undefined;
  const params: QueryParams = {
    ...rangeParams,
    network,
    window: windowDays,
    history: historyDays,
    ...(sampled ? { limit: parsed.limit!, seed: parsed.seed ?? 0 } : {}),
  };
  const statements = extractStatements(sampled, sources);
  const totals: ProgressTotals = { rows: 0, bytes: 0, expectedRows: 0 };
  if (onProgress) totals.expectedRows = await expectedRows(source, statements, params, signal);
  const collect = { signal, onProgress };
  // What was extracted (in the order the fingerprint hashes it).
  const scope = { database, network, startDate, endDate, windowDays, historyDays };
  logger.info(
    "Extracting alerts of {network} from {startDate} to {endDate} at window {windowDays}",
    { ...scope, limit: parsed.limit },
  );

  // The heaviest aggregation (money flows) runs first, while little else is held in memory.
  const aligned = { ...collect, settings: ALIGN_SETTINGS };
  const moneyFlows = await collectBatches(
    source,
    statements.moneyFlows,
    params,
    "moneyFlows",
    totals,
    aligned,
  );
  const select = featureSelect(contract.presentFeatureColumns);
  const features = await collectBatches(
    source,
    statements.featuresHead + select.sql + statements.featuresTail,
    { ...params, ...select.params },
    "features",
    totals,
    aligned,
  );
  const joined = await collectBatches(source, statements.alerts, params, "alerts", totals, collect);
  if (joined.numRows === 0) {
    throw new RiskTrainError(
      "NO_DATA",
      "No alerts found for " + network + " between " + startDate + " and " + endDate +
        " at window " + windowDays,
    );
  }
  const clusters = await collectBatches(
    source,
    statements.clusters,
    params,
    "clusters",
    totals,
    collect,
  );
  const fingerprint = await fingerprintOf(source, statements.fingerprint, params, {
    ...scope,
    limit: parsed.limit ?? null,
    seed: sampled ? parsed.seed ?? 0 : null,
  }, signal);

  const alerts: Table = joined.select([...ALERT_COLUMNS]);
  const labels: Table = joined.select([...LABEL_COLUMNS]);
  logger.info(
    "Extracted {alerts} alerts, {features} feature rows, {flows} flow rows, {clusters} clusters",
    {
      alerts: alerts.numRows,
      features: features.numRows,
      flows: moneyFlows.numRows,
      clusters: clusters.numRows,
      bytes: totals.bytes,
      fingerprint,
    },
  );
  return {
    provenance: { ...scope, fingerprint, missingFeatureColumns: contract.missingFeatureColumns },
    alerts,
    features,
    clusters,
    moneyFlows,
    labels,
  };
}

/** The rows the extraction's statements will return (see ExtractStatements.expectedRows). */
async function expectedRows(
  source: ClickHouse,
  statements: ExtractStatements,
  params: QueryParams,
  signal: AbortSignal | undefined,
): Promise<number> {
  const counts = await source.query(statements.expectedRows, { params, signal });
  const count = (name: string) => Number(counts.getChild(name)?.get(0) ?? 0);
  return count("alerts") + 2 * count("pairs") + count("clusters");
}
