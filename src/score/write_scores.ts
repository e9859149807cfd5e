/**
 * `writeScores`: writes score results to the output tables (alert_scores, alert_rankings,
 * cluster_scores) with one batch_metadata row per processing_date, replacing the dates' rows
 * of the network and window, all or nothing per table.
 *
 * @module
 */
import { DateDay, makeVector, Table, Utf8, vectorFromArray } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { lockDatabaseWrites } from "../database_lock.ts";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import { databaseFor, DatabaseSchema, NetworkSchema, parseOptions } from "../options.ts";
import { SCHEMA_FILES } from "../schema/schema_files.ts";
import type { ClickHouse, ModelType } from "../types.ts";
import { changedPartitions, type PartitionRef, partitionVersions } from "./partition_versions.ts";
import type { ScoreResult } from "./score.ts";

const logger = getLogger(["risktrain", "score"]);

/** The output table each model type fills. */
export const SCORE_TABLES: Readonly<Record<ModelType, string>> = {
  alert_scorer: "alert_scores",
  alert_ranker: "alert_rankings",
  cluster_scorer: "cluster_scores",
};

/** Options of {@linkcode writeScores}. */
export interface WriteScoresOptions {
  /** Network of the scores (every result's model must be of it). */
  network: string;
  /** Database of the output tables (default `risk_scoring_<network>`). */
  database?: string;
  /**
   * Stops the write before it commits (or while it waits for another write's lock); nothing
   * of this run becomes visible then.
   */
  signal?: AbortSignal;
  /** Milliseconds spent before the write (extraction), added to `latencies_ms_total`. */
  elapsedMs?: number;
  /** Lock directory shared by the writers of a database that take turns (default `.risktrain/locks`). */
  lockDir?: string;
}

/** The zod schema of {@linkcode WriteScoresOptions}. */
export const WriteScoresOptionsSchema: z.ZodType<WriteScoresOptions> = z.object({
  network: NetworkSchema,
  database: DatabaseSchema.optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  elapsedMs: z.number().min(0).optional(),
  lockDir: z.string().min(1).optional(),
}).strict();

/** What {@linkcode writeScores} wrote. */
export interface WriteScoresResult {
  /** The processing dates written, `YYYY-MM-DD`. */
  dates: string[];
  /** Rows written per output table. */
  rows: Record<string, number>;
}

/** How often a write stages again when another writer changed its partitions meanwhile. */
const STAGING_ATTEMPTS = 3;
const DAY_MS = 86_400_000;
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const monthOf = (day: number) => {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 100 + date.getUTCMonth() + 1;
};

/**
 * `db`.`table` for the one place ClickHouse's grammar takes no identifier parameter (the
 * source table of `REPLACE PARTITION ... FROM`): both names are checked to be plain
 * identifiers (the database's option schema checks it too; the staging name is generated
 * here).
 */
function quotedTable(db: string, table: string): string {
  for (const name of [db, table]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new RiskTrainError("CONFIG_INVALID", `Not a plain identifier: ${JSON.stringify(name)}`);
    }
  }
  return "`" + db + "`.`" + table + "`";
}

/** The CREATE TABLE of `table` for a staging copy of the same structure and keys. */
function stagingDdl(table: string): string {
  const file = SCHEMA_FILES.find((f) => f.table === table)!;
  const name = "{db:Identifier}." + table;
  if (!file.sql.includes(name)) throw new Error(`Schema file of ${table} does not name it`);
  return file.sql.replace(name, "{db:Identifier}.{stage:Identifier}");
}

/** The output rows of `result` on the processing dates in `days`. */
function outputRows(
  result: ScoreResult,
  days: ReadonlySet<number>,
  network: string,
  windowDays: number,
): Table {
  const dates = result.matrix.processingDates;
  const rows: number[] = [];
  dates.forEach((day, i) => {
    if (days.has(day)) rows.push(i);
  });
  const t = result.table;
  const pick = (name: string) => t.getChild(name)!;
  const strings = (name: string) =>
    vectorFromArray(rows.map((i) => pick(name).get(i) as string), new Utf8());
  const common = {
    processing_date: vectorFromArray(rows.map((i) => new Date(dates[i] * DAY_MS)), new DateDay()),
    network: vectorFromArray(rows.map(() => network), new Utf8()),
    window_days: makeVector(new Uint16Array(rows.length).fill(windowDays)),
    model_version: strings("model_version"),
  };
  const score = makeVector(Float64Array.from(rows, (i) => pick("score").get(i) as number));
  if (result.modelType === "alert_scorer") {
    return new Table({
      ...common,
      alert_id: strings("alert_id"),
      score,
      explain_json: strings("explain"),
    });
  }
  if (result.modelType === "alert_ranker") {
    return new Table({
      ...common,
      alert_id: strings("alert_id"),
      rank: makeVector(Int32Array.from(rows, (i) => pick("rank").get(i) as number)),
    });
  }
  return new Table({ ...common, cluster_id: strings("cluster_id"), score });
}

interface BatchRow {
  day: number;
  counts: { alerts: number; features: number; clusters: number };
  outputs: Record<string, number>;
}

function batchRecord(
  row: BatchRow,
  results: readonly ScoreResult[],
  scope: { network: string; windowDays: number; totalMs: number },
  status: "PROCESSING" | "COMPLETED" | "FAILED",
  error = "",
): Record<string, unknown> {
  const model = (type: ModelType) => results.find((r) => r.modelType === type);
  const latency = (type: ModelType) => {
    const r = model(type);
    if (!r) return 0;
    const { features_ms = 0, predict_ms = 0, explain_ms = 0 } = r.timingsMs;
    return features_ms + predict_ms + explain_ms;
  };
  return {
    processing_date: isoDay(row.day),
    processed_at: Math.floor(Date.now() / 1000),
    input_counts_alerts: row.counts.alerts,
    input_counts_features: row.counts.features,
    input_counts_clusters: row.counts.clusters,
    output_counts_alert_scores: row.outputs.alert_scores ?? 0,
    output_counts_alert_rankings: row.outputs.alert_rankings ?? 0,
    output_counts_cluster_scores: row.outputs.cluster_scores ?? 0,
    latencies_ms_alert_scoring: latency("alert_scorer"),
    latencies_ms_alert_ranking: latency("alert_ranker"),
    latencies_ms_cluster_scoring: latency("cluster_scorer"),
    latencies_ms_total: Math.round(scope.totalMs),
    model_versions_alert_scorer: model("alert_scorer")?.modelVersion ?? "",
    model_versions_alert_ranker: model("alert_ranker")?.modelVersion ?? "",
    model_versions_cluster_scorer: model("cluster_scorer")?.modelVersion ?? "",
    status,
    error_message: error,
    network: scope.network,
    window_days: scope.windowDays,
  };
}

/**
 * A month partition of one table rebuilt in a staging table: the rows of other dates,
 * networks and windows copied, then the new rows; committed with `REPLACE PARTITION`, which
 * ClickHouse applies atomically (readers see the old partition or the new one).
 */
interface StagedPartition {
  table: string;
  stage: string;
  month: number;
}

/**
 * Writes `results` (one per model type, all of one network and window) to the output tables.
 * Each processing_date scored gets, per table, exactly this run's rows: the date's earlier
 * rows of the same network and window are replaced, other dates, networks and windows are
 * untouched. batch_metadata gets a PROCESSING row per date when the write starts and, at the
 * end, one row per date: COMPLETED with counts, latencies and model versions, or FAILED with
 * the error.
 *
 * How: every month partition touched is rebuilt in a staging table (kept rows + new rows),
 * and only when all are complete does each table switch with `ALTER TABLE ... REPLACE
 * PARTITION` (atomic per table and partition). A failure or cancellation before that
 * switch leaves the previous rows; the switch itself is a few metadata operations that are
 * not cancelled.
 *
 * Two writes at once never lose each other's rows: writers of one database sharing a lock
 * directory (score writes, imports; `lockDir`) wait for each other, and a write that finds,
 * just before the switch, that another writer inserted, switched or mutated one of its
 * partitions since it copied them stages again (WRITE_CONFLICT after 3 attempts, with
 * nothing written). Recording a failure is checked the same way. ClickHouse has no
 * transaction across the check and the switch, so writers without a shared lock directory
 * switching the same partition within those milliseconds can still race: schedule one
 * scoring job per network.
 *
 * @example
 * ```ts ignore
 * const results = [await score(scorer, range), await score(ranker, range)];
 * await writeScores(ch, results, { network: "demo" });
 * ```
 */
export async function writeScores(
  ch: ClickHouse,
  results: readonly ScoreResult[],
  options: WriteScoresOptions,
): Promise<WriteScoresResult> {
  const started = performance.now();
  options = parseOptions(WriteScoresOptionsSchema, options, "writeScores options");
  const { network, signal } = options;
  const db = databaseFor(network, options.database);
  if (results.length === 0) throw new RangeError("No score results to write");
  const windows = new Set(results.map((r) => r.table.getChild("window_days")!.get(0) as number));
  const types = results.map((r) => r.modelType);
  if (windows.size !== 1 || new Set(types).size !== types.length) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `Write one result per model type at one window: got ${types.join(", ")} at windows ${
        [...windows].join(", ")
      }`,
    );
  }
  const windowDays = [...windows][0];
  const days = new Set<number>();
  for (const r of results) for (const [day] of r.inputCounts) days.add(day);
  for (const r of results) for (const day of r.matrix.processingDates) days.add(day);
  const batches: BatchRow[] = [...days].sort((a, b) => a - b).map((day) => {
    const counts = results[0].inputCounts.get(day) ?? { alerts: 0, features: 0, clusters: 0 };
    const outputs: Record<string, number> = {};
    for (const r of results) {
      outputs[SCORE_TABLES[r.modelType]] = r.matrix.processingDates.filter((d) => d === day)
        .length;
    }
    return { day, counts, outputs };
  });
  const scope = { network, windowDays, totalMs: 0 };
  const dateList = batches.map((b) => isoDay(b.day));
  const months = [...new Set(batches.map((b) => monthOf(b.day)))];
  const run = crypto.randomUUID().replaceAll("-", "");
  const params = { db, network, window: windowDays, dates: dateList };

  await using _lock = await lockDatabaseWrites(db, { lockDir: options.lockDir, signal });
  await ch.insert(
    "batch_metadata",
    batches.map((b) => batchRecord(b, results, scope, "PROCESSING")),
    { database: db },
  );
  logger.info("Writing scores of {dates} dates to {database}", { dates: dateList.length, db });
  const partitions: PartitionRef[] = months.flatMap((month) =>
    [...results.map((r) => SCORE_TABLES[r.modelType]), "batch_metadata"].map((table) => ({
      table,
      month,
    }))
  );

  const staged: StagedPartition[] = [];
  const stage = async (table: string, month: number, rows: Table | Record<string, unknown>[]) => {
    const name = `_risktrain_stage_${table}_${month}_${run}`;
    staged.push({ table, stage: name, month });
    await ch.command(stagingDdl(table), { params: { db, stage: name }, signal });
    await ch.command(
      "INSERT INTO {db:Identifier}.{stage:Identifier} SELECT * FROM {db:Identifier}.{table:Identifier} " +
        "WHERE toYYYYMM(processing_date) = {month:UInt32} AND NOT (network = {network:String} " +
        "AND window_days = {window:UInt16} AND processing_date IN {dates:Array(Date)})",
      { params: { ...params, stage: name, table, month }, signal },
    );
    throwIfAborted(signal);
    const count = Array.isArray(rows) ? rows.length : (rows as Table).numRows;
    if (count > 0) await ch.insert(name, rows, { database: db, signal });
  };
  const commit = async () => {
    for (const { table, stage, month } of staged) {
      await ch.command(
        "ALTER TABLE {db:Identifier}.{table:Identifier} REPLACE PARTITION {month:UInt32} " +
          "FROM " + quotedTable(db, stage),
        { params: { db, table, month } },
      );
    }
  };
  /** Drops every staging table, each on its own: one that fails is logged, never thrown. */
  const dropStaged = async () => {
    for (const { stage } of staged.splice(0)) {
      await ch.command("DROP TABLE IF EXISTS {db:Identifier}.{stage:Identifier}", {
        params: { db, stage },
      }).catch((error) => logger.warn("Could not drop {stage}: {error}", { stage, error }));
    }
  };
  /**
   * Stages with `stageAll`, then switches every staged partition, unless another writer
   * changed one of `refs` since they were copied: then it stages again, and after
   * STAGING_ATTEMPTS attempts throws WRITE_CONFLICT with nothing switched.
   */
  const stageAndSwitch = async (
    refs: readonly PartitionRef[],
    stageAll: () => Promise<void>,
    cancel?: AbortSignal,
  ) => {
    for (let attempt = 1;; attempt++) {
      const copied = await partitionVersions(ch, db, refs, cancel);
      await stageAll();
      throwIfAborted(cancel);
      const changed = changedPartitions(copied, await partitionVersions(ch, db, refs));
      if (changed.length === 0) return await commit();
      await dropStaged();
      if (attempt === STAGING_ATTEMPTS) {
        throw new RiskTrainError(
          "WRITE_CONFLICT",
          `Another writer changed ${changed.join(", ")} of ${db} while this write staged ` +
            `them, ${STAGING_ATTEMPTS} times: nothing was written (run one scoring job per ` +
            "network at a time)",
        );
      }
      logger.warn("Another writer changed {partitions} while this write staged them: again", {
        partitions: changed,
      });
    }
  };

  let rows: Record<string, number> = {};
  const stageScores = async () => {
    rows = {};
    for (const month of months) {
      const inMonth = new Set(batches.filter((b) => monthOf(b.day) === month).map((b) => b.day));
      for (const result of results) {
        const table = SCORE_TABLES[result.modelType];
        const out = outputRows(result, inMonth, network, windowDays);
        rows[table] = (rows[table] ?? 0) + out.numRows;
        await stage(table, month, out);
      }
      scope.totalMs = (options.elapsedMs ?? 0) + performance.now() - started;
      await stage(
        "batch_metadata",
        month,
        batches.filter((b) => inMonth.has(b.day)).map((b) =>
          batchRecord(b, results, scope, "COMPLETED")
        ),
      );
    }
  };
  try {
    await stageAndSwitch(partitions, stageScores, signal);
  } catch (error) {
    await dropStaged();
    await recordFailure(error);
    throw error;
  } finally {
    await dropStaged();
  }
  logger.info("Wrote scores of {dates} dates", { dates: dateList.length, rows });
  return { dates: dateList, rows };

  /**
   * Replaces the dates' PROCESSING and earlier FAILED rows by this run's FAILED rows; the
   * COMPLETED row describing the rows still in the score tables stays. Not cancelled (the
   * run already is); checked against other writers like the scores.
   */
  async function recordFailure(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    scope.totalMs = (options.elapsedMs ?? 0) + performance.now() - started;
    const stageFailed = async () => {
      for (const month of months) {
        const inMonth = batches.filter((b) => monthOf(b.day) === month);
        const name = `_risktrain_stage_batch_metadata_${month}_${run}_failed`;
        staged.push({ table: "batch_metadata", stage: name, month });
        await ch.command(stagingDdl("batch_metadata"), { params: { db, stage: name } });
        await ch.command(
          "INSERT INTO {db:Identifier}.{stage:Identifier} SELECT * FROM " +
            "{db:Identifier}.batch_metadata WHERE toYYYYMM(processing_date) = {month:UInt32} " +
            "AND NOT (network = {network:String} AND window_days = {window:UInt16} " +
            "AND processing_date IN {dates:Array(Date)} AND status != 'COMPLETED')",
          { params: { ...params, stage: name, month } },
        );
        await ch.insert(
          name,
          inMonth.map((b) => batchRecord(b, results, scope, "FAILED", message)),
          { database: db },
        );
      }
    };
    try {
      await stageAndSwitch(
        months.map((month) => ({ table: "batch_metadata", month })),
        stageFailed,
      );
    } catch (recordError) {
      logger.error("Could not record the failed scoring run in batch_metadata: {error}", {
        error: String(recordError),
        aborted: signal?.aborted ?? false,
      });
    } finally {
      await dropStaged();
    }
  }
}
