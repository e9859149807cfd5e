/**
 * What each command does, once parsed: open ClickHouse, run the stages, print a summary.
 * The runner (cli.ts) owns argv, the terminal and exit codes; these functions take the
 * parsed command, the environment, a signal and a writer for stdout.
 *
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { openClickHouse } from "../clickhouse/open.ts";
import { RiskTrainError } from "../errors.ts";
import { extract } from "../extract/extract.ts";
import { buildFeatures } from "../features/build_features.ts";
import { summarizeMatrix, writeMatrixArrow } from "../features/summary.ts";
import { generate } from "../generate/generate.ts";
import { databaseFor, parseOptions } from "../options.ts";
import {
  runTraining,
  type RunTrainingOptions,
  RunTrainingOptionsSchema,
  type RunTrainingResult,
} from "../run_training.ts";
import { migrate } from "../schema/migrate.ts";
import { DEFAULT_OUTPUT_DIR } from "../storage/registry.ts";
import type { ClickHouse, ModelType } from "../types.ts";
import { type Connection, connectionNeeds, resolveConnection, usageError } from "./connection.ts";
import { runDoctor } from "./doctor_command.ts";
import { figure, seconds, wrapList } from "./human.ts";
import { runImport } from "./import_command.ts";
import {
  runModelsCompare,
  runModelsList,
  runModelsReport,
  runModelsShow,
} from "./models_commands.ts";
import { type CliCommand, DEMO_DEFAULTS } from "./parser.ts";
import { requirePermissions } from "./permissions.ts";
import type { ProgressDisplay } from "./progress.ts";
import { runProgressBars } from "./run_progress.ts";
import { runScore } from "./score_command.ts";

const logger = getLogger(["risktrain", "cli"]);

/** What a command needs from the runner. */
export interface CommandContext {
  /** The process environment laid over .env. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted by SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Writes one line to stdout. */
  print: (line: string) => void;
  /** The terminal's progress bars. */
  progress: ProgressDisplay;
}

/** Widest line a summary prints. */

const MODEL_TYPES: readonly ModelType[] = ["alert_scorer", "alert_ranker", "cluster_scorer"];

/**
 * Runs a parsed command to completion.
 *
 * @example
 * ```ts ignore
 * await runCommand({ command: "models-list" }, context);
 * ```
 */
export async function runCommand(command: CliCommand, context: CommandContext): Promise<void> {
  switch (command.command) {
    case "models-list":
      return await runModelsList(command, context.print);
    case "models-show":
      return await runModelsShow(command, context.print);
    case "models-report":
      return await runModelsReport(command, context.print);
    case "models-compare":
      return await runModelsCompare(command, context.print);
    case "models-doctor":
      return await runDoctor(command, context);
    case "migrate":
      return await withClickHouse(command, context, {}, async (ch, database) => {
        const result = await migrate(ch, {
          network: command.network,
          database,
          signal: context.signal,
        });
        context.print(`Migrated ${result.database}: ${result.tables.join(", ")}`);
      });
    case "generate":
      return await withClickHouse(command, context, {}, async (ch, database) => {
        const result = await generate(ch, {
          network: command.network,
          database,
          days: command.days,
          alertsPerDay: command.alertsPerDay,
          seed: command.seed ?? DEMO_DEFAULTS.seed,
          startDate: command.startDate,
          windowDays: command.windowDays ? [...command.windowDays] : undefined,
          replace: command.replace ?? false,
          signal: context.signal,
          onProgress: generationBar(context.progress),
        });
        context.progress.done();
        context.print(
          `Generated ${result.database} from ${result.startDate} to ${result.endDate} ` +
            `(windows ${result.windowDays.join(", ")}) in ${seconds(result.seconds)} s:`,
        );
        for (const [table, rows] of Object.entries(result.rows)) {
          context.print(`  ${table.padEnd(20)} ${rows} rows`);
        }
      });
    case "features":
      return await features(command, context);
    case "train": {
      const outputDir = outputDirOf(command);
      const connection = resolveConnection(command, context.env);
      const options: RunTrainingOptions = {
        network: command.network,
        database: connection.database,
        startDate: command.startDate,
        endDate: command.endDate,
        windowDays: command.windowDays,
        modelType: command.modelType,
        outputDir,
        allowedDir: allowedDirOf(outputDir),
        trials: command.trials,
        folds: command.folds,
        seed: command.seed,
        testFraction: command.testFraction,
        testStartDate: command.testStartDate,
        ...evaluationFlags(command),
        force: command.force ?? false,
      };
      // Every option is checked before the first query.
      parseOptions(RunTrainingOptionsSchema, options, "training options");
      logger.info("Output directory {outputDir}", { outputDir: resolve(outputDir) });
      return await withClickHouse(
        command,
        context,
        { readWrite: [outputDir], read: WORKER_READS, readsOnly: true },
        (ch) => trainAndPrint(ch, options, context),
      );
    }
    case "demo":
      return await demo(command, context);
    case "import":
      return await runImport(command, context);
    case "score":
      return await runScore(command, context);
  }
}

type ConnectionCommand = Extract<CliCommand, { clickhouseUrl?: string }>;

/**
 * What the training workers read: the directory of risktrain's own modules, as
 * `--allow-read` wants it (`.` in a checkout run from its root), whose worker module they
 * load. Nothing in a compiled binary (the module is embedded) or from a URL import.
 */
const WORKER_READS: readonly string[] = workerReads();

function workerReads(): string[] {
  const url = new URL("../../", import.meta.url);
  if (url.protocol !== "file:" || Deno.build.standalone) return [];
  return [relative(Deno.cwd(), fileURLToPath(url)).replace(/\/$/, "") || "."];
}

/** The `--output-dir` given, or the default; an empty one is a usage error. */
function outputDirOf(command: { outputDir?: string }): string {
  if (command.outputDir === "") {
    usageError("outputDir", "Expected a value, not an empty one");
  }
  return command.outputDir ?? DEFAULT_OUTPUT_DIR;
}

/**
 * The directory writes must stay in: `trained_models` (the permission set's) for a
 * directory inside it, else the output directory itself.
 */
function allowedDirOf(outputDir: string): string {
  const inside = relative(DEFAULT_OUTPUT_DIR, outputDir);
  return inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))
    ? DEFAULT_OUTPUT_DIR
    : outputDir;
}

/**
 * Checks permissions (the connection's, plus `dirs`: `write` for files written, `readWrite`
 * for a model directory that is also read, `read` for what is only read), opens ClickHouse
 * (its signal cancels connecting and the wait for the embedded engine's lock), runs `work`,
 * always closes.
 * A command that `readsOnly` the data refuses an embedded data directory that does not
 * exist (opening would create an empty one) instead of failing later on a missing network.
 */
async function withClickHouse(
  command: ConnectionCommand,
  context: CommandContext,
  dirs: {
    write?: readonly string[];
    readWrite?: readonly string[];
    read?: readonly string[];
    readsOnly?: boolean;
  },
  work: (ch: ClickHouse, database: string | undefined) => Promise<void>,
): Promise<void> {
  const connection = resolveConnection(command, context.env);
  const needs = connectionNeeds(connection);
  const readWrite = dirs.readWrite ?? [];
  await requirePermissions({
    ...needs,
    write: [...(needs.write ?? []), ...(dirs.write ?? []), ...readWrite],
    read: [...(needs.read ?? []), ...readWrite, ...(dirs.read ?? [])],
  });
  const readsOnly = dirs.readsOnly ?? false;
  await checkDataDir(connection, readsOnly);
  await using ch = await openClickHouse(
    { ...connection.clickhouse, create: !readsOnly },
    { signal: context.signal },
  );
  logger.debug("Opened ClickHouse {kind} {version}", {
    kind: ch.kind,
    version: await ch.version(),
  });
  await work(ch, connection.database);
}

/** Says where the embedded engine's data is; refuses a missing one for a reading command. */
async function checkDataDir(connection: Connection, readsOnly: boolean): Promise<void> {
  const { dataDir, url } = connection.clickhouse;
  if (url !== undefined) {
    const shown = new URL(url);
    shown.username = shown.password = ""; // credentials stay out of the log
    logger.info("ClickHouse server {url}", { url: shown.href });
    return;
  }
  if (dataDir === undefined) return;
  const path = resolve(dataDir);
  let exists = true;
  try {
    await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    exists = false;
  }
  if (!exists && readsOnly) {
    throw new RiskTrainError(
      "NO_DATA",
      `No embedded ClickHouse data in ${path} (--data-dir ${dataDir}, resolved from ${Deno.cwd()}): ` +
        "run `deno task demo` or `deno task generate` first, or pass --data-dir or --clickhouse-url",
    );
  }
  logger.info("Data directory {dataDir}", { dataDir: path, created: !exists });
}

/** A generation's progress as one bar of steps. */
function generationBar(
  display: ProgressDisplay,
): (p: { table: string; step: number; steps: number }) => void {
  return ({ table, step, steps }) => {
    display.update("generate", {
      label: `Generating ${table.replace(/^raw_/, "").replaceAll("_", " ")}`,
      done: step,
      total: steps,
      unit: "steps",
    });
    if (step >= steps) display.end("generate");
  };
}

/** The evaluation and look-back flags of train and demo as runTraining options. */
function evaluationFlags(
  command: Extract<CliCommand, { command: "train" | "demo" }>,
): Pick<
  RunTrainingOptions,
  "cv" | "cvGapDays" | "alertBudget" | "calibration" | "allowWeak" | "historyDays"
> {
  return {
    historyDays: command.historyDays,
    cv: command.cv,
    cvGapDays: command.cvGapDays,
    alertBudget: command.alertBudget,
    calibration: command.calibration,
    allowWeak: command.allowWeak ?? false,
  };
}

/** Runs one training with the command's signal and progress bars, then prints its result. */
async function trainAndPrint(
  ch: ClickHouse,
  options: RunTrainingOptions,
  context: CommandContext,
): Promise<void> {
  const result = await runTraining(ch, options, {
    signal: context.signal,
    onProgress: runProgressBars(context.progress),
  });
  context.progress.done();
  printResult(result, context.print);
}

function printResult(result: RunTrainingResult, print: (line: string) => void): void {
  const { metadata, modelPath, metadataPath } = result.model;
  print(
    result.status === "skipped"
      ? `Skipped ${metadata.model_type}: a model for this configuration and data exists ` +
        `(version ${metadata.version}); --force trains anyway`
      : `Trained ${metadata.model_type} version ${metadata.version} in ${
        seconds(result.milliseconds / 1000)
      } s`,
  );
  const metrics = Object.entries(metadata.metrics)
    .filter(([, value]) => typeof value === "number")
    .map(([name, value]) => `${name} ${figure(value as number)}`);
  for (const line of wrapList("  metrics  ", metrics)) print(line);
  print(`  model    ${modelPath}`);
  print(`  metadata ${metadataPath}`);
  print(`  report   ${metadataPath.replace(/\.json$/, ".html")}`);
}

async function features(
  command: Extract<CliCommand, { command: "features" }>,
  context: CommandContext,
): Promise<void> {
  const write = command.out ? [dirname(command.out)] : [];
  const bars = runProgressBars(context.progress);
  await withClickHouse(command, context, { write, readsOnly: true }, async (ch, database) => {
    const data = await extract(ch, {
      network: command.network,
      database,
      startDate: command.startDate,
      endDate: command.endDate,
      windowDays: command.windowDays,
    }, {
      signal: context.signal,
      onProgress: (progress) => bars({ phase: "extract", progress }),
    });
    context.progress.done();
    const matrix = buildFeatures(data, { modelType: command.modelType });
    const summary = summarizeMatrix(matrix);
    context.print(
      `${summary.modelType}: ${summary.numRows} rows x ${summary.numFeatures} features, ` +
        `${summary.labelledRows} labelled, positive rate ${figure(summary.positiveRate)}`,
    );
    if (summary.groups !== null) {
      context.print(`  query groups ${summary.groups}, grades ${summary.gradeCounts?.join("/")}`);
    }
    context.print(
      `  categorical  ${summary.categorical.map((c) => `${c.name} (${c.categories})`).join(", ")}`,
    );
    context.print(`  all missing  ${summary.allMissing.join(", ") || "none"}`);
    context.print(`  constant     ${summary.constant.join(", ") || "none"}`);
    if (command.out) {
      await Deno.writeFile(command.out, writeMatrixArrow(matrix));
      context.print(`  wrote        ${command.out}`);
    }
  });
}

async function demo(
  command: Extract<CliCommand, { command: "demo" }>,
  context: CommandContext,
): Promise<void> {
  const network = command.network ?? DEMO_DEFAULTS.network;
  const outputDir = outputDirOf(command);
  const seed = command.seed ?? DEMO_DEFAULTS.seed;
  logger.info("Output directory {outputDir}", { outputDir: resolve(outputDir) });
  const dirs = { readWrite: [outputDir], read: WORKER_READS };
  await withClickHouse(command, context, dirs, async (ch, database) => {
    const db = databaseFor(network, database);
    const range = await alertRange(ch, db);
    let startDate = range?.startDate;
    let endDate = range?.endDate;
    if (range === null) {
      const result = await generate(ch, {
        network,
        database,
        days: command.days ?? DEMO_DEFAULTS.days,
        alertsPerDay: command.alertsPerDay ?? DEMO_DEFAULTS.alertsPerDay,
        seed,
        signal: context.signal,
        onProgress: generationBar(context.progress),
      });
      context.progress.done();
      context.print(`Generated ${result.rows.raw_alerts} alerts into ${result.database}`);
      startDate = result.startDate;
      endDate = result.endDate;
    } else {
      context.print(`Using the network already in ${db} (${startDate} to ${endDate})`);
    }
    for (const modelType of MODEL_TYPES) {
      await trainAndPrint(ch, {
        network,
        database,
        startDate: startDate!,
        endDate: endDate!,
        modelType,
        outputDir,
        allowedDir: allowedDirOf(outputDir),
        trials: command.trials ?? DEMO_DEFAULTS.trials,
        folds: command.folds ?? DEMO_DEFAULTS.folds,
        seed,
        testFraction: command.testFraction,
        testStartDate: command.testStartDate,
        ...evaluationFlags(command),
        force: command.force ?? false,
      }, context);
    }
  });
}

/** The processing dates of a network's alerts, or null when it has none (or no tables). */
async function alertRange(
  ch: ClickHouse,
  database: string,
): Promise<{ startDate: string; endDate: string } | null> {
  const tables = await ch.query(
    "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'raw_alerts'",
    { params: { db: database } },
  );
  if (Number(tables.getChild("n")?.get(0)) === 0) return null;
  const range = await ch.query(
    "SELECT count() AS n, toString(min(processing_date)) AS first, " +
      "toString(max(processing_date)) AS last FROM {db:Identifier}.raw_alerts",
    { params: { db: database } },
  );
  if (Number(range.getChild("n")?.get(0)) === 0) return null;
  return {
    startDate: String(range.getChild("first")?.get(0)),
    endDate: String(range.getChild("last")?.get(0)),
  };
}
