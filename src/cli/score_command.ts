/**
 * The `score` command: its parser (one line in parser.ts's COMMANDS) and its runner.
 *
 * ```sh
 * deno task score --network demo --start-date 2024-02-20 --end-date 2024-02-29 --write
 * ```
 *
 * @module
 */
import { dirname } from "node:path";
import { tableToIPC } from "npm:apache-arrow@21.2.0";
import { merge, object } from "npm:@optique/core@0.7.19/constructs";
import { message } from "npm:@optique/core@0.7.19/message";
import { optional } from "npm:@optique/core@0.7.19/modifiers";
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import { command, constant, flag, option } from "npm:@optique/core@0.7.19/primitives";
import { integer, string } from "npm:@optique/core@0.7.19/valueparser";
import { openClickHouse } from "../clickhouse/open.ts";
import { DEFAULT_LOCK_DIR } from "../database_lock.ts";
import { RiskTrainError } from "../errors.ts";
import { extract } from "../extract/extract.ts";
import { score } from "../score_model.ts";
import type { ScoreResult } from "../score/score.ts";
import { writeScores } from "../score/write_scores.ts";
import { DEFAULT_OUTPUT_DIR, latest, list, load } from "../storage/registry.ts";
import type { ExtractedData, LoadedModel, ModelType } from "../types.ts";
import type { CommandContext } from "./commands.ts";
import { connectionNeeds, resolveConnection, usageError } from "./connection.ts";
import { examples } from "./examples.ts";
import { requirePermissions } from "./permissions.ts";
import { figure, wrapList } from "./human.ts";
import { runProgressBars } from "./run_progress.ts";
import {
  arrowOutOption,
  connectionFlags,
  endDate,
  modelTypeOption,
  network,
  outputDir,
  startDate,
  windowDays,
} from "./shared_flags.ts";

/** The flags only `score` has (network, dates, window, model type and connection are shared). */
const scoreFlags = object("Scoring", {
  model: optional(option("--model", string({ metavar: "PATH" }), {
    description: message`A saved model's .txt or .json (default the latest model of each type)`,
  })),
  write: optional(flag("--write", {
    description: message`Write alert_scores, alert_rankings, cluster_scores and batch_metadata`,
  })),
  out: arrowOutOption(message`Write one model's scores to this Arrow IPC file (default none)`),
  topK: optional(option("--top-k", integer({ min: 1, max: 1000 }), {
    description: message`Reasons per row in explain_json (default 5)`,
  })),
});

const MODEL_TYPES: readonly ModelType[] = ["alert_scorer", "alert_ranker", "cluster_scorer"];

/** `score --network NETWORK --start-date --end-date [flags]`. */
export const scoreCommand = command(
  "score",
  merge(
    object({
      command: constant("score"),
      network,
      startDate,
      endDate,
      windowDays,
      modelType: optional(modelTypeOption(
        message`Score with the latest model of this type only (default every type)`,
      )),
      outputDir,
    }),
    scoreFlags,
    connectionFlags,
  ),
  {
    description: message`Score a date range with saved models: scores, ranks and reason codes`,
    footer: examples(
      "deno task score --network demo --start-date 2024-02-20 --end-date 2024-02-29 --write",
      "deno task score --network demo --start-date 2024-02-29 --end-date 2024-02-29 --model-type alert_scorer",
    ),
  },
);

/** The parsed `score` command. */
type ScoreCommand = InferValue<typeof scoreCommand>;

/** The models to score with: `--model`, else the latest of `--model-type` or of every type. */
async function modelsFor(command: ScoreCommand, outputDir: string): Promise<LoadedModel[]> {
  if (command.model) return [await load(command.model)];
  const types = command.modelType ? [command.modelType] : MODEL_TYPES;
  const available = new Set(
    (await list({ outputDir, network: command.network })).map((e) => e.metadata.model_type),
  );
  const chosen = types.filter((type) => available.has(type));
  if (chosen.length === 0) {
    throw new RiskTrainError(
      "MODEL_NOT_FOUND",
      `No ${types.join(" or ")} model for network ${command.network} in ${outputDir}`,
    );
  }
  const models = [];
  for (const type of chosen) {
    models.push(await latest(type, { network: command.network, outputDir }));
  }
  return models;
}

/** The backtest's figures (4 significant digits), wrapped to the summary width. */
function metricsLines(result: ScoreResult): string[] {
  if (result.metrics === null) return ["  no labelled rows"];
  const figures = Object.entries(result.metrics)
    .filter(([, value]) => Number.isFinite(value))
    .map(([name, value]) => `${name} ${figure(value)}`);
  return wrapList(`  backtest on ${result.labelledRows} labelled rows: `, figures);
}

/**
 * Runs `score`: loads the models, extracts the range once per (window, look-back), scores,
 * prints a summary with the backtest metrics, and writes the tables or an Arrow file.
 *
 * @example
 * ```ts ignore
 * await runScore(command, context);
 * ```
 */
export async function runScore(command: ScoreCommand, context: CommandContext): Promise<void> {
  const outputDir = command.outputDir ?? DEFAULT_OUTPUT_DIR;
  if (command.write && command.out) usageError("out", "Choose --write or --out, not both");
  if (command.model && command.modelType) {
    usageError("modelType", "Choose --model or --model-type, not both");
  }
  const connection = resolveConnection(command, context.env);
  const needs = connectionNeeds(connection);
  await requirePermissions({
    ...needs,
    read: [...(needs.read ?? []), outputDir],
    write: [
      ...(needs.write ?? []),
      ...(command.out ? [dirname(command.out)] : []),
      ...(command.write ? [DEFAULT_LOCK_DIR] : []),
    ],
  });
  const models = await modelsFor(command, outputDir);
  if (command.out && models.length !== 1) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `--out writes one model's scores: choose one with --model or --model-type (found ${
        models.map((m) => m.metadata.model_type).join(", ")
      })`,
    );
  }
  if (command.windowDays !== undefined) {
    for (const m of models) {
      if (m.metadata.window_days !== command.windowDays) {
        throw new RiskTrainError(
          "CONFIG_INVALID",
          `Model ${m.metadata.model_id} was trained at window ${m.metadata.window_days}, not ${command.windowDays}`,
        );
      }
    }
  }
  await using ch = await openClickHouse(connection.clickhouse);
  const bars = runProgressBars(context.progress);
  const started = performance.now();
  const extracted = new Map<string, ExtractedData>();
  const byWindow = new Map<number, ScoreResult[]>();
  for (const model of models) {
    const m = model.metadata;
    const key = `${m.window_days}/${m.history_days}`;
    let data = extracted.get(key);
    if (!data) {
      data = await extract(ch, {
        network: command.network,
        database: connection.database ?? m.database,
        startDate: command.startDate,
        endDate: command.endDate,
        windowDays: m.window_days,
        historyDays: m.history_days,
      }, {
        signal: context.signal,
        onProgress: (progress) => bars({ phase: "extract", progress }),
      });
      context.progress.done();
      extracted.set(key, data);
    }
    const result = await score(model, data, { topK: command.topK, signal: context.signal });
    context.print(`Scored ${result.table.numRows} rows with ${result.modelVersion}`);
    for (const line of metricsLines(result)) context.print(line);
    byWindow.set(m.window_days, [...(byWindow.get(m.window_days) ?? []), result]);
  }
  if (command.out) {
    const [result] = [...byWindow.values()][0];
    await Deno.writeFile(command.out, tableToIPC(result.table, "file"));
    context.print(`  wrote ${command.out}`);
  }
  if (command.write) {
    for (const results of byWindow.values()) {
      const written = await writeScores(ch, results, {
        network: command.network,
        database: connection.database,
        signal: context.signal,
        elapsedMs: performance.now() - started,
      });
      const counts = Object.entries(written.rows).map(([table, n]) => `${table} ${n}`);
      context.print(
        `Wrote ${written.dates.length} dates (${written.dates[0]}..${written.dates.at(-1)}): ${
          counts.join(", ")
        }, batch_metadata ${written.dates.length}`,
      );
    }
  }
}
