/**
 * The command line's grammar: pure parsers (no I/O) that turn argv into a typed command.
 * Values stay raw here (undefined when a flag is absent); the command's zod schema, fed
 * with flags, environment and .env, decides defaults and validity.
 *
 * @module
 */
import { merge, object, or } from "npm:@optique/core@0.7.19/constructs";
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import { message } from "npm:@optique/core@0.7.19/message";
import { multiple, optional } from "npm:@optique/core@0.7.19/modifiers";
import { argument, command, constant, flag, option } from "npm:@optique/core@0.7.19/primitives";
import { choice, integer, string } from "npm:@optique/core@0.7.19/valueparser";
import { zod } from "npm:@optique/zod@0.7.19";
import { z } from "npm:zod@4.6.7";
import { doctorCommand } from "./doctor_command.ts";
import {
  IsoDateSchema,
  MAX_FOLDS,
  MAX_TRIALS,
  ModelTypeSchema,
  NetworkSchema,
} from "../options.ts";

const FractionSchema = z.coerce.number().gt(0, "Expected a share above 0").lt(
  1,
  "Expected a share below 1",
);

const MODEL_TYPES = ModelTypeSchema.options;

/** Flags naming the ClickHouse to use; shared by every command that reads data. */
const connection = object("ClickHouse", {
  clickhouseUrl: optional(option("--clickhouse-url", string({ metavar: "URL" }), {
    description: message`ClickHouse server URL (env CLICKHOUSE_URL); omit for the embedded engine`,
  })),
  clickhouseUser: optional(option("--clickhouse-user", string({ metavar: "USER" }), {
    description: message`Server user (env CLICKHOUSE_USER)`,
  })),
  clickhousePassword: optional(option("--clickhouse-password", string({ metavar: "PASSWORD" }), {
    description: message`Server password (env CLICKHOUSE_PASSWORD)`,
  })),
  database: optional(option("--database", string({ metavar: "NAME" }), {
    description: message`Database (env CLICKHOUSE_DATABASE); default risk_scoring_<network>`,
  })),
  dataDir: optional(option("--data-dir", string({ metavar: "DIR" }), {
    description: message`Embedded engine data directory (default .risktrain/chdb)`,
  })),
  lockTimeout: optional(option("--lock-timeout", integer({ min: 0, metavar: "SECONDS" }), {
    description:
      message`Embedded engine: seconds to wait while another process uses the data directory (default no limit)`,
  })),
  connectTimeout: optional(
    option("--connect-timeout", integer({ min: 1, max: 86400, metavar: "SECONDS" }), {
      description: message`Server: seconds connecting may take (default 10)`,
    }),
  ),
});

const network = option("--network", zod(NetworkSchema, { metavar: "NETWORK" }), {
  description: message`Network identifier, e.g. torus`,
});
const startDate = option("--start-date", zod(IsoDateSchema, { metavar: "YYYY-MM-DD" }), {
  description: message`First processing_date, inclusive`,
});
const endDate = option("--end-date", zod(IsoDateSchema, { metavar: "YYYY-MM-DD" }), {
  description: message`Last processing_date, inclusive`,
});
const windowDays = optional(option("--window-days", integer({ min: 1, max: 65535 }), {
  description: message`window_days to use (required when the range holds several)`,
}));
const modelType = option("--model-type", choice(MODEL_TYPES), {
  description: message`alert_scorer, alert_ranker or cluster_scorer`,
});
const seed = optional(option("--seed", integer({ min: 0, max: 4294967295 }), {
  description: message`Seed of every random choice (default 42)`,
}));
const outputDir = optional(option("--output-dir", string({ metavar: "DIR" }), {
  description: message`Where models are written (default trained_models)`,
}));

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
      description: message`Hyperparameter search trials (default ${
        String(defaults.trials)
      }; 0 trains the defaults)`,
    })),
    folds: optional(option("--folds", integer({ min: 2, max: MAX_FOLDS }), {
      description: message`Cross-validation folds (default ${String(defaults.folds)})`,
    })),
    testFraction: optional(option("--test-fraction", zod(FractionSchema, { metavar: "SHARE" }), {
      description:
        message`Share of the labelled rows held out for testing, whole days from the latest (default 0.2)`,
    })),
    testStartDate: optional(
      option("--test-start-date", zod(IsoDateSchema, { metavar: "YYYY-MM-DD" }), {
        description: message`First processing_date of the test set (instead of --test-fraction)`,
      }),
    ),
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
    connection,
  ),
  { description: message`Extract a date range, build features, train, evaluate and save a model` },
);

const demoCommand = command(
  "demo",
  merge(
    object({
      command: constant("demo"),
      network: optional(network),
      days: optional(option("--days", integer({ min: 1 }), {
        description: message`Processing dates to generate (default ${String(DEMO_DEFAULTS.days)})`,
      })),
      alertsPerDay: optional(option("--alerts-per-day", integer({ min: 1 }), {
        description: message`Alerts per processing date (default ${
          String(DEMO_DEFAULTS.alertsPerDay)
        })`,
      })),
    }),
    trainingFlags(DEMO_DEFAULTS),
    connection,
  ),
  {
    description:
      message`Generate the synthetic network into the engine (once) and train all three model types`,
  },
);

const generateCommand = command(
  "generate",
  merge(
    object({
      command: constant("generate"),
      network,
      days: option("--days", integer({ min: 1 }), {
        description: message`Number of processing dates`,
      }),
      alertsPerDay: option("--alerts-per-day", integer({ min: 1 }), {
        description: message`Alerts per processing date and window`,
      }),
      seed,
      startDate: optional(startDate),
      windowDays: optional(multiple(option("--window-days", integer({ min: 1, max: 65535 })))),
      replace: optional(flag("--replace", {
        description: message`Empty the input tables first (they must be empty otherwise)`,
      })),
    }),
    connection,
  ),
  { description: message`Fill a network's input tables with a realistic synthetic network` },
);

const migrateCommand = command(
  "migrate",
  merge(object({ command: constant("migrate"), network }), connection),
  { description: message`Create the network's database and tables (idempotent)` },
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
      out: optional(option("--out", string({ metavar: "FILE.arrow" }), {
        description: message`Write the matrix as an Arrow IPC file`,
      })),
    }),
    connection,
  ),
  { description: message`Extract and build the feature matrix, and describe it` },
);

const modelsCommand = command(
  "models",
  or(
    command(
      "list",
      object({
        command: constant("models-list"),
        outputDir,
        network: optional(network),
        modelType: optional(modelType),
      }),
      { description: message`List the saved models` },
    ),
    command(
      "show",
      object({
        command: constant("models-show"),
        outputDir,
        model: argument(string({ metavar: "MODEL" })),
      }),
      { description: message`Show one model's metadata (a path or a model id)` },
    ),
    doctorCommand,
  ),
  { description: message`Inspect the model registry` },
);

/** The whole command line: one of the subcommands. */
export const cliParser = or(
  trainCommand,
  demoCommand,
  generateCommand,
  migrateCommand,
  featuresCommand,
  modelsCommand,
);

/** A parsed command line. */
export type CliCommand = InferValue<typeof cliParser>;
