/**
 * `importSnapshots`: loads the upstream's analytics exports (batch folders of Parquet files
 * and the network's labels file) into a network's input tables, embedded or server.
 *
 * @module
 */
import { resolve } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { lockDatabaseWrites } from "../database_lock.ts";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import {
  databaseFor,
  DatabaseSchema,
  IsoDateSchema,
  NetworkSchema,
  parseOptions,
} from "../options.ts";
import { migrate } from "../schema/migrate.ts";
import type { ClickHouse, InputTable } from "../types.ts";
import { alignFeatureColumns } from "./feature_columns.ts";
import { type FileConversion, planConversion, type TargetColumn } from "./file_conversion.ts";
import { type ParquetColumns, parquetColumns } from "./parquet_columns.ts";
import {
  BATCH_FILES,
  type BatchFile,
  findSnapshots,
  type SnapshotBatch,
} from "./snapshot_layout.ts";
import { sha256, type VerifiedBatch, verifyBatch } from "./snapshot_meta.ts";
import { stageFile } from "./stage_file.ts";

const logger = getLogger(["risktrain", "import"]);

/** Progress of {@linkcode importSnapshots}, reported after every file loaded. */
export interface ImportProgress {
  /** The file loaded (a path). */
  file: string;
  /** The table it filled. */
  table: InputTable;
  /** Rows loaded from it. */
  rows: number;
  /** Files loaded so far, this one included. */
  step: number;
  /** Files to load in all. */
  steps: number;
}

/** Options of {@linkcode importSnapshots}. */
export interface ImportOptions {
  /** Lowercase network identifier: the `snapshots/<network>` folder and the database. */
  network: string;
  /** The export root: the folder holding `risk-scoring/` (or `risk-scoring/` itself). */
  from: string;
  /** Database to fill; defaults to `risk_scoring_<network>` (created when missing). */
  database?: string;
  /** First processing_date imported, `YYYY-MM-DD` (default: the first folder). */
  startDate?: string;
  /** Last processing_date imported, `YYYY-MM-DD` (default: the last folder). */
  endDate?: string;
  /** Called after every file loaded. */
  onProgress?: (progress: ImportProgress) => void;
  /** Stops between statements (and the running one); rejects with CancelledError. */
  signal?: AbortSignal;
  /** Lock directory shared by the writers of a database that take turns (default `.risktrain/locks`). */
  lockDir?: string;
}

/** The zod schema of {@linkcode ImportOptions}. */
export const importOptionsSchema: z.ZodType<ImportOptions> = z.object({
  network: NetworkSchema,
  from: z.string().min(1, "Expected the export folder"),
  database: DatabaseSchema.optional(),
  startDate: IsoDateSchema.optional(),
  endDate: IsoDateSchema.optional(),
  onProgress: z.custom<(progress: ImportProgress) => void>((value) => typeof value === "function")
    .optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  lockDir: z.string().min(1).optional(),
}).strict().refine(
  (o) => o.startDate === undefined || o.endDate === undefined || o.startDate <= o.endDate,
  { message: "Expected startDate on or before endDate" },
);

/** One imported batch. */
export interface ImportedBatch {
  /** `YYYY-MM-DD`. */
  processingDate: string;
  /** The batch's window. */
  windowDays: number;
  /** Rows loaded per table. */
  rows: Partial<Record<InputTable, number>>;
  /** Whether it carried alerts.parquet (the alert and cluster models need alerts). */
  hasAlerts: boolean;
}

/** What {@linkcode importSnapshots} loaded. */
export interface ImportResult {
  /** The database filled. */
  database: string;
  /** The batches, by processing_date then window_days. */
  batches: ImportedBatch[];
  /** Label rows loaded (all copies), 0 without a labels file. */
  labelRows: number;
  /** The labels file, when there was one. */
  labelsFile?: string;
  /** raw_features optional columns dropped and added to match the snapshots. */
  featureColumns: { dropped: string[]; added: string[] };
  /** Wall-clock seconds. */
  seconds: number;
}

const TARGET_SQL = "SELECT table, name, type, default_kind FROM system.columns " +
  "WHERE database = {db:String} AND table IN {tables:Array(String)} ORDER BY table, position";

async function targetColumns(
  ch: ClickHouse,
  database: string,
  signal?: AbortSignal,
): Promise<Map<string, Map<string, TargetColumn>>> {
  const tables: InputTable[] = [...Object.values(BATCH_FILES), "raw_address_labels"];
  const found = await ch.query(TARGET_SQL, { params: { db: database, tables }, signal });
  const byTable = new Map<string, Map<string, TargetColumn>>();
  const table = Array.from(found.getChild("table") ?? [], String);
  const name = Array.from(found.getChild("name") ?? [], String);
  const type = Array.from(found.getChild("type") ?? [], String);
  const kind = Array.from(found.getChild("default_kind") ?? [], String);
  table.forEach((t, i) => {
    if (!byTable.has(t)) byTable.set(t, new Map());
    if (kind[i] === "MATERIALIZED" || kind[i] === "ALIAS") return;
    byTable.get(t)!.set(name[i], { type: type[i], hasDefault: kind[i] === "DEFAULT" });
  });
  return byTable;
}

function key(batch: SnapshotBatch): string {
  return batch.processingDate + "/" + batch.windowDays;
}

/** A batch file's reading, planned before anything is written. */
interface PlannedFile {
  name: BatchFile;
  table: InputTable;
  path: string;
  sha256: string;
  rows: number;
  plan: FileConversion;
}

function planBatch(
  batch: SnapshotBatch,
  files: VerifiedBatch,
  targets: Map<string, Map<string, TargetColumn>>,
  network: string,
): PlannedFile[] {
  const planned: PlannedFile[] = [];
  for (const [name, table] of Object.entries(BATCH_FILES) as [BatchFile, InputTable][]) {
    const file = files.get(name);
    if (file === undefined) continue;
    const plan = planConversion(file.path, file.columns, table, targets.get(table)!, {
      processingDate: batch.processingDate,
      windowDays: batch.windowDays,
      network,
      keysMustMatch: true,
    });
    if (plan.casts.length > 0) {
      logger.debug("{file}: casting {casts}", { file: file.path, casts: plan.casts.join(", ") });
    }
    if (plan.ignored.length > 0) {
      logger.debug("{file}: columns no contract column reads: {columns}", {
        file: file.path,
        columns: plan.ignored.join(", "),
      });
    }
    planned.push({ name, table, path: file.path, sha256: file.sha256, rows: file.rows, plan });
  }
  return planned;
}

/** Deletes the rows of `table` that `where` selects, when there are any (one mutation). */
async function deleteRows(
  ch: ClickHouse,
  database: string,
  table: InputTable,
  where: string,
  params: Record<string, string | number | string[]>,
  signal?: AbortSignal,
): Promise<void> {
  const all = { ...params, db: database };
  // A mutation checks every part of the table: run one only when there are rows to replace.
  const existing = await ch.query(
    "SELECT count() AS n FROM {db:Identifier}." + table + " WHERE " + where,
    { params: all, signal },
  );
  if (Number(existing.getChild("n")?.get(0) ?? 0) === 0) return;
  await ch.command("DELETE FROM {db:Identifier}." + table + " WHERE " + where, {
    params: all,
    settings: { mutations_sync: 2 },
    signal,
  });
}

/** The rows of the imported batches, `{keys:Array(String)}` of `YYYY-MM-DD/window`. */
const BATCH_KEYS = "concat(toString(processing_date), '/', toString(window_days)) " +
  "IN {keys:Array(String)}";
/** The rows of one window. */
const WINDOW = "window_days = {stamp_window:UInt16}";
/** ... of the network (labels). */
const NETWORK = " AND network = {stamp_network:String}";

/**
 * Imports the upstream's snapshot exports of one network: every batch folder
 * `risk-scoring/snapshots/<network>/<processing_date>/<window_days>/` under `from` (or those
 * within [startDate, endDate]) and the labels file
 * `risk-scoring/address-labels/<network>_address_labels.parquet`, into the network's input
 * tables (migrated first when missing).
 *
 * In order, before any row is written: every batch's META.json is checked (each file's
 * SHA-256 and Parquet row count; features, money flows and patterns are required), and
 * every file's columns are planned against the tables (contract drift rules: other integer
 * and float widths, decimals, integers for Bool, integer arrays, JSON-string arrays; a
 * column of another kind is one DATA_INVALID error naming the file, the column, the type
 * found and the type expected). raw_features then keeps the optional columns every
 * snapshot has (a column a snapshot lacks is missing, not zero). Then every file is staged
 * (converted in ClickHouse SQL as it is read) and its staged row count checked; only then
 * are the imported batches' rows of each table replaced by the staged ones (one DELETE per
 * table, when it holds any of them): importing a batch twice gives the same rows, and
 * writers of the database sharing a lock directory (imports, score writes; `lockDir`) take
 * turns from the migration on. A batch without alerts.parquet imports what it has, with a warning
 * that the alert and cluster models need alerts. patterns.parquet is verified, not loaded
 * (no table of the contract holds patterns).
 *
 * Labels: a file without processing_date is copied once per imported batch, stamped with
 * the batch's date and window (as the upstream's ingestion does), replacing that batch's
 * labels of the network; a file with dates of its own replaces the network's labels of
 * each imported window. A missing `network` column is filled with the network.
 *
 * @example
 * ```ts ignore
 * import { importSnapshots } from "./import_snapshots.ts";
 * const result = await importSnapshots(ch, { network: "torus", from: "exports" });
 * console.log(result.batches.length, result.labelRows);
 * ```
 */
export async function importSnapshots(
  ch: ClickHouse,
  options: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const opts = parseOptions(importOptionsSchema, options, "import options");
  const { network, signal } = opts;
  const layout = await findSnapshots(opts.from, network, opts);

  const verified: VerifiedBatch[] = [];
  for (const batch of layout.batches) {
    throwIfAborted(signal);
    verified.push(await verifyBatch(batch));
  }
  let labels: (ParquetColumns & { path: string; sha256: string }) | undefined;
  if (layout.labelsFile !== undefined) {
    const bytes = await Deno.readFile(layout.labelsFile);
    labels = {
      path: layout.labelsFile,
      sha256: await sha256(bytes),
      ...parquetColumns(bytes, layout.labelsFile),
    };
  }
  logger.info("Verified {batches} batches of {network} in {dir}", {
    batches: layout.batches.length,
    network,
    dir: layout.networkDir,
  });

  // Another import (or score write) of the database with this lock directory waits: two
  // imports of a batch at once would each delete its rows, then both insert them.
  await using _lock = await lockDatabaseWrites(databaseFor(network, opts.database), {
    lockDir: opts.lockDir,
    signal,
  });
  // Plan every file once to refuse unreadable columns before any row is written, then align
  // raw_features' optional columns and plan again against the aligned table.
  const { database } = await migrate(ch, { network, database: opts.database, signal });
  let targets = await targetColumns(ch, database, signal);
  let plans = layout.batches.map((batch, i) => planBatch(batch, verified[i], targets, network));
  const labelPlan = labels === undefined ? undefined : planConversion(
    labels.path,
    labels.columns,
    "raw_address_labels",
    targets.get("raw_address_labels")!,
    { ...layout.batches[0], network, keysMustMatch: false },
  );
  const featurePlans = plans.flat().filter((file) => file.table === "raw_features");
  const featureColumns = await alignFeatureColumns(
    ch,
    database,
    new Set(targets.get("raw_features")!.keys()),
    featurePlans.map((file) => file.plan.presentFeatures),
    layout.batches.map(key),
    signal,
  );
  if (featureColumns.dropped.length + featureColumns.added.length > 0) {
    targets = await targetColumns(ch, database, signal);
    plans = layout.batches.map((batch, i) => planBatch(batch, verified[i], targets, network));
  }

  const steps = plans.flat().length + (labels === undefined ? 0 : 1);
  let step = 0;
  // Every file of every batch is staged (converted) first, into one staging table per table
  // and column list: a file that fails to convert changes nothing. Then each table's imported
  // batches are replaced at once (one DELETE, a mutation, per table rather than per batch).
  const stagePrefix = "_risktrain_import_" + crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const staged = new Map<string, { stage: string; table: InputTable; columns: string }>();
  const stageOf = (table: InputTable, plan: FileConversion) => {
    const columns = plan.columns.join(", ");
    const signature = table + " " + columns;
    const existing = staged.get(signature);
    if (existing !== undefined) return { stage: existing.stage, create: false };
    const stage = stagePrefix + "_" + staged.size + "_" + table;
    staged.set(signature, { stage, table, columns });
    return { stage, create: true };
  };
  const batches: ImportedBatch[] = [];
  let labelRows = 0;
  try {
    for (const [i, batch] of layout.batches.entries()) {
      const rows: Partial<Record<InputTable, number>> = {};
      for (const file of plans[i]) {
        const { stage, create } = stageOf(file.table, file.plan);
        const loaded = await stageFile(ch, file.plan, resolve(file.path), file.sha256, {
          database,
          stage,
          create,
          table: file.table,
        }, signal);
        if (loaded !== file.rows) {
          throw new RiskTrainError(
            "DATA_INVALID",
            `Row count mismatch: ${file.path} gave ${loaded} rows (its footer: ${file.rows})`,
          );
        }
        rows[file.table] = loaded;
        logger.info("Read {file}: {rows} rows for {table}", {
          file: file.path,
          rows: loaded,
          table: file.table,
        });
        opts.onProgress?.({
          file: file.path,
          table: file.table,
          rows: loaded,
          step: ++step,
          steps,
        });
      }
      batches.push({
        processingDate: batch.processingDate,
        windowDays: batch.windowDays,
        rows,
        hasAlerts: verified[i].has("alerts.parquet"),
      });
    }
    let labelStage: string | undefined;
    if (labels !== undefined && labelPlan !== undefined) {
      labelStage = await stageLabels(
        ch,
        database,
        labels,
        labelPlan,
        stagePrefix + "_labels",
        signal,
      );
      staged.set("labels", { stage: labelStage, table: "raw_address_labels", columns: "" });
    }

    for (const table of Object.values(BATCH_FILES)) {
      const keys = layout.batches.filter((_, i) => plans[i].some((file) => file.table === table))
        .map(key);
      if (keys.length === 0) continue;
      await deleteRows(ch, database, table, BATCH_KEYS, { keys }, signal);
      for (const entry of staged.values()) {
        if (entry.table !== table) continue;
        await ch.command(
          "INSERT INTO {db:Identifier}." + table + " (" + entry.columns + ") SELECT " +
            entry.columns + " FROM {db:Identifier}.{stage:Identifier}",
          { params: { db: database, stage: entry.stage }, signal },
        );
      }
      logger.info("Replaced {batches} batches of {table}", { batches: keys.length, table });
    }
    for (const batch of batches.filter((b) => !b.hasAlerts)) {
      logger.warn(
        "Batch {batch} has no alerts.parquet: imported its features and money flows only; " +
          "the alert and cluster models need alerts (exports before December 2025 carried " +
          "alerts.parquet and clusters.parquet)",
        { batch: batch.processingDate + "/" + batch.windowDays },
      );
    }
    if (labels !== undefined && labelPlan !== undefined && labelStage !== undefined) {
      labelRows = await replaceLabels(
        ch,
        database,
        labels,
        labelPlan,
        layout.batches,
        labelStage,
        signal,
      );
      opts.onProgress?.({
        file: labels.path,
        table: "raw_address_labels",
        rows: labelRows,
        step: ++step,
        steps,
      });
    } else {
      logger.warn("No labels file for {network} (expected {file}): no labels imported", {
        network,
        file: "risk-scoring/address-labels/" + network + "_address_labels.parquet",
      });
    }
  } finally {
    for (const { stage } of staged.values()) {
      await ch.command("DROP TABLE IF EXISTS {db:Identifier}.{stage:Identifier}", {
        params: { db: database, stage },
      }).catch((error) => logger.warn("Could not drop {stage}: {error}", { stage, error }));
    }
  }
  return {
    database,
    batches,
    labelRows,
    ...(labels === undefined ? {} : { labelsFile: labels.path }),
    featureColumns,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Stages the labels file (checking its row count); returns the staging table. */
async function stageLabels(
  ch: ClickHouse,
  database: string,
  labels: ParquetColumns & { path: string; sha256: string },
  plan: FileConversion,
  stage: string,
  signal?: AbortSignal,
): Promise<string> {
  const loaded = await stageFile(ch, plan, resolve(labels.path), labels.sha256, {
    database,
    stage,
    create: true,
    table: "raw_address_labels",
  }, signal);
  if (loaded !== labels.rows) {
    throw new RiskTrainError(
      "DATA_INVALID",
      `Row count mismatch: ${labels.path} gave ${loaded} rows (its footer: ${labels.rows})`,
    );
  }
  return stage;
}

/** Replaces the network's labels of the imported batches (or windows) with the staged ones. */
async function replaceLabels(
  ch: ClickHouse,
  database: string,
  labels: ParquetColumns & { path: string },
  plan: FileConversion,
  batches: readonly SnapshotBatch[],
  stage: string,
  signal?: AbortSignal,
): Promise<number> {
  const columns = plan.columns.join(", ");
  const network = { stamp_network: plan.params.stamp_network as string };
  const insert = (select: string, filter: string, params: Record<string, string | number>) =>
    ch.command(
      "INSERT INTO {db:Identifier}.raw_address_labels (" + columns + ") SELECT " + select +
        " FROM {db:Identifier}.{stage:Identifier}" + filter,
      { params: { ...network, ...params, db: database, stage }, signal },
    );
  const count = async (filter: string, params: Record<string, string | number>) => {
    const table = await ch.query(
      "SELECT count() AS n FROM {db:Identifier}.{stage:Identifier}" + filter,
      { params: { ...params, db: database, stage }, signal },
    );
    return Number(table.getChild("n")?.get(0) ?? 0);
  };
  let rows = 0;
  if (!plan.dated) {
    // One stamped copy per batch, as the upstream's ingestion makes.
    await deleteRows(ch, database, "raw_address_labels", BATCH_KEYS + NETWORK, {
      ...network,
      keys: batches.map(key),
    }, signal);
    const copy = await count("", {});
    for (const batch of batches) {
      await insert(
        "* REPLACE ({stamp_date:Date} AS processing_date, {stamp_window:UInt16} AS window_days)",
        "",
        { stamp_date: batch.processingDate, stamp_window: batch.windowDays },
      );
      rows += copy;
    }
  } else {
    const hasWindow = labels.columns.some((column) => column.name === "window_days");
    for (const windowDays of new Set(batches.map((batch) => batch.windowDays))) {
      const window = { stamp_window: windowDays };
      await deleteRows(ch, database, "raw_address_labels", WINDOW + NETWORK, {
        ...network,
        ...window,
      }, signal);
      if (hasWindow) {
        await insert("*", " WHERE " + WINDOW, window);
        rows += await count(" WHERE " + WINDOW, window);
      } else {
        await insert("* REPLACE ({stamp_window:UInt16} AS window_days)", "", window);
        rows += await count("", {});
      }
    }
  }
  logger.info("Imported {file}: {rows} label rows ({kind})", {
    file: labels.path,
    rows,
    kind: plan.dated ? "dated" : "stamped with each batch's date",
  });
  return rows;
}
