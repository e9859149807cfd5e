/**
 * The command line's grammar: pure parsers (no I/O) that turn argv into a typed command.
 * Values stay raw here (undefined when a flag is absent); the command's zod schema, fed
 * with flags, environment and .env, decides defaults and validity.
 *
 * Help style (follow it in every command, so `--help` reads as one text):
 * - a command: `command(name, parser, { description, footer: examples(...) })`, the
 *   description one sentence saying what it does, and two or three real examples written
 *   as a person types them (`deno task <command> ...`);
 * - an option: a phrase starting with a capital, no full stop, then in brackets where it
 *   applies the environment variable read and the default, in that order and words:
 *   `(env CLICKHOUSE_URL; default the embedded engine)`, `(default 42)`; a flag (no value)
 *   says what turning it on does and has no default;
 * - a new command lives in its own file under src/cli/ (its parser and its runner) and is
 *   one line in {@linkcode COMMANDS} below (a `models` subcommand: in MODELS_COMMANDS).
 * - a flag more than one command takes is defined once, in shared_flags.ts; a command
 *   that means something narrower by it builds it with that file's factory and its own help.
 *
 * @module
 */
import { merge, object, or } from "npm:@optique/core@0.7.19/constructs";
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import { message, text } from "npm:@optique/core@0.7.19/message";
import { examples } from "./examples.ts";
import { modelsCompareCommand, modelsReportCommand } from "./models_commands.ts";
import { multiple, optional } from "npm:@optique/core@0.7.19/modifiers";
import { argument, command, constant, flag, option } from "npm:@optique/core@0.7.19/primitives";
import { choice, integer, string } from "npm:@optique/core@0.7.19/valueparser";
import { zod } from "npm:@optique/zod@0.7.19";
import { z } from "npm:zod@4.6.7";
import { MAX_FOLDS, MAX_TRIALS } from "../options.ts";
import { CALIBRATION_METHODS } from "../metrics/calibration_fit.ts";
import { CV_SCHEMES } from "../train/cv_folds.ts";
import { importCommand } from "./import_command.ts";
import { doctorCommand } from "./doctor_command.ts";
import { scoreCommand } from "./score_command.ts";
import {
  alertsPerDayOption,
  arrowOutOption,
  connectionFlags,
  dateOption,
  daysOption,
  endDate,
  modelType,
  modelTypeOption,
  network,
  networkOption,
  outputDir,
  seed,
  startDate,
  windowDays,
  windowDaysOption,
} from "./shared_flags.ts";

const FractionSchema = z.coerce.number().gt(0, "Expected a share above 0").lt(
  1,
  "Expected a share below 1",
);

/** Defaults of `demo`: the synthetic network and a search small enough for a laptop. */
export const DEMO_DEFAULTS = {
  network: "demo",
  days: 60,
  alertsPerDay: 2000,
  seed: 42,
  trials: 8,
  folds: 3,
} as const;

/** The training flags, their help naming the defaults of the command they belong to. */
function trainingFlags(defaults: { trials: number; folds: number }) {
  return object("Training", {
    trials: optional(option("--trials", integer({ min: 0, max: MAX_TRIALS }), {
      description: message`Hyperparameter configurations to try; 0 trains the defaults (default ${
        text(String(defaults.trials))
      })`,
    })),
    folds: optional(option("--folds", integer({ min: 2, max: MAX_FOLDS }), {
      description: message`Cross-validation folds (default ${text(String(defaults.folds))})`,
    })),
    testFraction: optional(option("--test-fraction", zod(FractionSchema, { metavar: "SHARE" }), {
      description:
        message`Share of the labelled rows held out for testing, whole days from the latest (default 0.2)`,
    })),
    testStartDate: optional(dateOption(
      "--test-start-date",
      message`First processing_date of the test set (default from --test-fraction)`,
    )),
    historyDays: optional(option("--history-days", integer({ min: 1, max: 3650 }), {
      description:
        message`Look-back of the alert-history features, in days before each alert's date; scoring reuses the model's (default 30)`,
    })),
    cv: optional(option("--cv", choice(CV_SCHEMES), {
      description:
        message`Cross-validation: time (forward-chaining over dates), stratified, or grouped (by address: the pessimistic unseen-addresses view; ranker: by query) (default time)`,
    })),
    cvGapDays: optional(option("--cv-gap-days", integer({ min: 0 }), {
      description:
        message`Days between a time fold's fitting dates and its validation dates (default 0)`,
    })),
    alertBudget: optional(option("--alert-budget", integer({ min: 1 }), {
      description:
        message`Alerts an investigator works per day, for precision@k and recall@k (default 100)`,
    })),
    calibration: optional(option("--calibration", choice(CALIBRATION_METHODS), {
      description:
        message`Calibration of the scorers' probabilities: isotonic, platt or none (default isotonic)`,
    })),
    allowWeak: optional(flag("--allow-weak", {
      description:
        message`Save a model no better than its baseline, marked weak, instead of failing with NO_SIGNAL`,
    })),
    force: optional(flag("--force", {
      description: message`Train even when a model for the same configuration and data exists`,
    })),
    seed,
    outputDir,
  });
}

const trainCommand = command(
  "train",
  merge(
    object({
      command: constant("train"),
      network,
      startDate,
      endDate,
      modelType,
      windowDays,
    }),
    trainingFlags({ trials: 20, folds: 5 }),
    connectionFlags,
  ),
  {
    description: message`Extract a date range, build features, train, evaluate and save a model`,
    footer: examples(
      "deno task train --network torus --start-date 2024-01-01 --end-date 2024-03-31 --model-type alert_scorer",
      "deno task train --network demo --start-date 2024-01-01 --end-date 2024-02-29 --model-type alert_ranker --trials 8 --folds 3",
      "deno task train --network torus --start-date 2024-01-01 --end-date 2024-03-31 --model-type cluster_scorer --clickhouse-url http://127.0.0.1:8123",
    ),
  },
);

const demoCommand = command(
  "demo",
  merge(
    object({
      command: constant("demo"),
      network: optional(networkOption(
        message`Network identifier, lowercase (default ${text(DEMO_DEFAULTS.network)})`,
      )),
      days: optional(daysOption(
        message`Processing dates to generate (default ${text(String(DEMO_DEFAULTS.days))})`,
      )),
      alertsPerDay: optional(alertsPerDayOption(
        message`Alerts per processing date (default ${text(String(DEMO_DEFAULTS.alertsPerDay))})`,
      )),
    }),
    trainingFlags(DEMO_DEFAULTS),
    connectionFlags,
  ),
  {
    description:
      message`Generate the synthetic network into the engine (once) and train all three model types`,
    footer: examples(
      "deno task demo",
      "deno task demo --trials 2 --folds 2",
      "deno task demo --days 30 --alerts-per-day 500 --output-dir trained_models/small",
    ),
  },
);

const generateCommand = command(
  "generate",
  merge(
    object({
      command: constant("generate"),
      network,
      days: daysOption(message`Processing dates to generate`),
      alertsPerDay: alertsPerDayOption(message`Alerts per processing date and window`),
      seed,
      startDate: optional(dateOption(
        "--start-date",
        message`First processing_date to generate (default 2024-01-01)`,
      )),
      windowDays: optional(multiple(windowDaysOption(
        message`Snapshot window to generate, repeatable (default 7)`,
      ))),
      replace: optional(flag("--replace", {
        description: message`Empty the input tables first (they must be empty otherwise)`,
      })),
    }),
    connectionFlags,
  ),
  {
    description: message`Fill a network's input tables with a realistic synthetic network`,
    footer: examples(
      "deno task generate --network demo --days 60 --alerts-per-day 2000",
      "deno task generate --network small --days 6 --alerts-per-day 300 --window-days 7 --window-days 30",
      "deno task generate --network demo --days 90 --alerts-per-day 2000 --replace",
    ),
  },
);

const migrateCommand = command(
  "migrate",
  merge(object({ command: constant("migrate"), network }), connectionFlags),
  {
    description: message`Create the network's database and tables (idempotent)`,
    footer: examples(
      "deno task migrate --network torus",
      "deno task migrate --network torus --clickhouse-url http://127.0.0.1:8123",
    ),
  },
);

const featuresCommand = command(
  "features",
  merge(
    object({
      command: constant("features"),
      network,
      startDate,
      endDate,
      modelType,
      windowDays,
      out: arrowOutOption(message`Arrow IPC file to write the matrix to (default none)`),
    }),
    connectionFlags,
  ),
  {
    description: message`Extract and build the feature matrix, and describe it`,
    footer: examples(
      "deno task features --network demo --start-date 2024-01-01 --end-date 2024-02-29 --model-type alert_scorer",
      "deno task features --network demo --start-date 2024-01-01 --end-date 2024-01-31 --model-type cluster_scorer --out .risktrain/clusters.arrow",
    ),
  },
);

const modelsListCommand = command(
  "list",
  object({
    command: constant("models-list"),
    outputDir,
    network: optional(networkOption(message`Only this network's models (default every network)`)),
    modelType: optional(modelTypeOption(message`Only this model type (default every type)`)),
  }),
  {
    description: message`List the saved models, newest last`,
    footer: examples(
      "deno task models list",
      "deno task models list --network demo --model-type alert_scorer",
    ),
  },
);

const modelsShowCommand = command(
  "show",
  object({
    command: constant("models-show"),
    outputDir,
    model: argument(string({ metavar: "MODEL" }), {
      description: message`A model's id, or the path of its .json or .txt file`,
    }),
    json: optional(flag("--json", { description: message`Print the raw metadata as JSON` })),
  }),
  {
    description:
      message`Show one model's metadata as a summary (card, metrics, top features, files)`,
    footer: examples(
      "deno task models show trained_models/alert_scorer_v1_20240301_120000.json",
      "deno task models show demo_alert_scorer_v1",
      "deno task models show --json demo_alert_scorer_v1",
    ),
  },
);

/** The `models` subcommands: one line each. */
export const MODELS_COMMANDS = [
  modelsListCommand,
  modelsShowCommand,
  modelsReportCommand,
  modelsCompareCommand,
  doctorCommand,
] as const;

const modelsCommand = command("models", or(...MODELS_COMMANDS), {
  description: message`Inspect the saved models`,
  footer: examples("deno task models list", "deno task models show MODEL"),
});

/** Every command: one line each (a new command's parser comes from its own file). */
export const COMMANDS = [
  trainCommand,
  demoCommand,
  generateCommand,
  migrateCommand,
  featuresCommand,
  importCommand,
  modelsCommand,
  scoreCommand,
] as const;

/** The whole command line: one of the commands. */
export const cliParser = or(...COMMANDS);

/** A parsed command line. */
export type CliCommand = InferValue<typeof cliParser>;
