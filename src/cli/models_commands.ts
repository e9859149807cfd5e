/**
 * The `models` subcommands: `list` (a table), `show` (a summary, or `--json`), `report`
 * (rebuild a model's HTML report) and `compare` (two models side by side). The parsers of
 * `report` and `compare` live here; `list` and `show` are in parser.ts.
 *
 * @module
 */
import { resolve } from "node:path";
import { object } from "npm:@optique/core@0.7.19/constructs";
import { message } from "npm:@optique/core@0.7.19/message";
import { argument, command, constant } from "npm:@optique/core@0.7.19/primitives";
import { string } from "npm:@optique/core@0.7.19/valueparser";
import { RiskTrainError } from "../errors.ts";
import { rebuildReport } from "../rebuild_report.ts";
import { evaluationFileName } from "../storage/artifact_names.ts";
import { DEFAULT_OUTPUT_DIR, list, load } from "../storage/registry.ts";
import type { LoadedModel, ModelType } from "../types.ts";
import { modelCompareLines, modelListLines, modelShowLines } from "./model_views.ts";
import { examples } from "./examples.ts";
import { requirePermissions } from "./permissions.ts";
import { outputDirOption } from "./shared_flags.ts";

const outputDir = outputDirOption(
  message`Where models are looked up by id (default trained_models)`,
);
const model = (metavar: string, which: string) =>
  argument(string({ metavar }), {
    description: message`${which} model's id, or the path of its .json or .txt file`,
  });

/** `models report MODEL`: the parser. */
export const modelsReportCommand = command(
  "report",
  object({ command: constant("models-report"), outputDir, model: model("MODEL", "The") }),
  {
    description: message`Write a saved model's HTML report again, beside the model`,
    footer: examples(
      "deno task models report demo_alert_scorer_v1",
      "deno task models report trained_models/alert_scorer_v1_20240301_120000.json",
    ),
  },
);

/** `models compare A B`: the parser. */
export const modelsCompareCommand = command(
  "compare",
  object({
    command: constant("models-compare"),
    outputDir,
    first: model("A", "The first"),
    second: model("B", "The second"),
  }),
  {
    description: message`Compare two models: metrics side by side and the features that moved most`,
    footer: examples(
      "deno task models compare demo_alert_scorer_v1 demo_alert_scorer_v2",
      "deno task models compare demo_alert_scorer_v1 trained_models/alert_scorer_v2_20240301_120000.json",
    ),
  },
);

/** Loads a model named by the path of its `.json`/`.txt` or by its model id in `dir`. */
export async function resolveModel(name: string, dir: string): Promise<LoadedModel> {
  if (name.endsWith(".json") || name.endsWith(".txt")) return await load(name);
  // Ids end in the directory's tag (`_1a2b3c4d`), the same for every model of `dir`: the
  // id without it names a model too.
  const match = (await list({ outputDir: dir })).find((entry) =>
    entry.metadata.model_id === name ||
    entry.metadata.model_id.replace(/_[0-9a-f]{8}$/, "") === name
  );
  if (!match) throw new RiskTrainError("MODEL_NOT_FOUND", `No model with id ${name} in ${dir}`);
  return await load(match.metadataPath);
}

function directoryOf(name: string, dir: string): string {
  const slash = name.lastIndexOf("/");
  return /\.(json|txt)$/.test(name) ? (slash < 0 ? "." : name.slice(0, slash) || "/") : dir;
}

async function existing(path: string): Promise<string | null> {
  try {
    await Deno.stat(path);
    return path;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Prints the registry of `outputDir` as a table. */
export async function runModelsList(
  options: { outputDir?: string; network?: string; modelType?: ModelType },
  print: (line: string) => void,
): Promise<void> {
  const dir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  await requirePermissions({ read: [dir] });
  const entries = await list({
    outputDir: dir,
    network: options.network,
    modelType: options.modelType,
  });
  if (entries.length === 0) {
    print(`No models in ${resolve(dir)}`);
    return;
  }
  for (const line of modelListLines(entries)) print(line);
}

/** Prints one model's summary, or its raw metadata with `json`. */
export async function runModelsShow(
  options: { outputDir?: string; model: string; json?: boolean },
  print: (line: string) => void,
): Promise<void> {
  const dir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  await requirePermissions({ read: [directoryOf(options.model, dir)] });
  const loaded = await resolveModel(options.model, dir);
  if (options.json) {
    print(JSON.stringify(loaded.metadata, null, 2));
    return;
  }
  const stem = loaded.metadataPath.replace(/\.json$/, "");
  const lines = modelShowLines(loaded.metadata, {
    model: loaded.modelPath,
    metadata: loaded.metadataPath,
    report: await existing(`${stem}.html`),
    evaluation: await existing(
      stem.slice(0, stem.lastIndexOf("/") + 1) +
        evaluationFileName(stem.slice(stem.lastIndexOf("/") + 1)),
    ),
  });
  for (const line of lines) print(line);
}

/** Rebuilds a model's report and prints its path. */
export async function runModelsReport(
  options: { outputDir?: string; model: string },
  print: (line: string) => void,
): Promise<void> {
  const dir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  const where = directoryOf(options.model, dir);
  await requirePermissions({ read: [where], write: [where] });
  const loaded = await resolveModel(options.model, dir);
  const started = performance.now();
  const path = await rebuildReport(loaded.metadataPath);
  print(`Wrote ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Prints two models side by side. */
export async function runModelsCompare(
  options: { outputDir?: string; first: string; second: string },
  print: (line: string) => void,
): Promise<void> {
  const dir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  await requirePermissions({
    read: [...new Set([directoryOf(options.first, dir), directoryOf(options.second, dir)])],
  });
  const a = await resolveModel(options.first, dir);
  const b = await resolveModel(options.second, dir);
  for (const line of modelCompareLines(a.metadata, b.metadata)) print(line);
}
