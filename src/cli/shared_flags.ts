/**
 * The flags several commands take, each defined once: its name, value parser and metavar
 * here, and its usual help text. A command whose flag means something narrower (an
 * optional `--network` filter, `doctor`'s extra `--database`) builds it with the factory
 * and its own description, so the flag's shape stays the same everywhere.
 *
 * @module
 */
import { object } from "npm:@optique/core@0.7.19/constructs";
import { type Message, message } from "npm:@optique/core@0.7.19/message";
import { optional } from "npm:@optique/core@0.7.19/modifiers";
import { option } from "npm:@optique/core@0.7.19/primitives";
import { choice, integer, string } from "npm:@optique/core@0.7.19/valueparser";
import { zod } from "npm:@optique/zod@0.7.19";
import { IsoDateSchema, ModelTypeSchema, NetworkSchema } from "../options.ts";

/** `--network NETWORK`, described by `description`. */
export function networkOption(description: Message) {
  return option("--network", zod(NetworkSchema, { metavar: "NETWORK" }), { description });
}

/** `--network NETWORK`, required: the network a command works on. */
export const network = networkOption(message`Network identifier, lowercase, e.g. torus`);

/** A date flag (`--start-date`, `--end-date`, ...) taking `YYYY-MM-DD`. */
export function dateOption(name: `--${string}-date`, description: Message) {
  return option(name, zod(IsoDateSchema, { metavar: "YYYY-MM-DD" }), { description });
}

/** `--start-date`, required: the first date of the range a command reads. */
export const startDate = dateOption(
  "--start-date",
  message`First processing_date of the range, inclusive`,
);

/** `--end-date`, required: the last date of the range a command reads. */
export const endDate = dateOption(
  "--end-date",
  message`Last processing_date of the range, inclusive`,
);

/** `--window-days`: a snapshot window, in days. */
export function windowDaysOption(description: Message) {
  return option("--window-days", integer({ min: 1, max: 65535 }), { description });
}

/** `--window-days`, optional: the window a command reads. */
export const windowDays = optional(windowDaysOption(
  message`Snapshot window to use (default the range's only one; required when it holds several)`,
));

/** `--model-type TYPE`: alert_scorer, alert_ranker or cluster_scorer. */
export function modelTypeOption(description: Message) {
  return option("--model-type", choice(ModelTypeSchema.options), { description });
}

/** `--model-type`, required: the model to train. */
export const modelType = modelTypeOption(
  message`Model to train: alert_scorer, alert_ranker or cluster_scorer`,
);

/** `--days`: processing dates to generate. */
export function daysOption(description: Message) {
  return option("--days", integer({ min: 1 }), { description });
}

/** `--alerts-per-day`: alerts per processing date to generate. */
export function alertsPerDayOption(description: Message) {
  return option("--alerts-per-day", integer({ min: 1 }), { description });
}

/** `--seed`, optional: the seed of every random choice. */
export const seed = optional(option("--seed", integer({ min: 0, max: 4294967295 }), {
  description: message`Seed of every random choice (default 42)`,
}));

/** `--output-dir DIR`, optional: the directory of the saved models. */
export function outputDirOption(description: Message) {
  return optional(option("--output-dir", string({ metavar: "DIR" }), { description }));
}

/** `--output-dir`, as the commands that save or score models describe it. */
export const outputDir = outputDirOption(
  message`Directory of the saved models (default trained_models)`,
);

/** `--out FILE.arrow`, optional: an Arrow IPC file to write. */
export function arrowOutOption(description: Message) {
  return optional(option("--out", string({ metavar: "FILE.arrow" }), { description }));
}

/** `--clickhouse-url`, `--clickhouse-user`, `--clickhouse-password`: the server to use. */
export const serverFlags = {
  clickhouseUrl: optional(option("--clickhouse-url", string({ metavar: "URL" }), {
    description: message`ClickHouse server URL (env CLICKHOUSE_URL; default the embedded engine)`,
  })),
  clickhouseUser: optional(option("--clickhouse-user", string({ metavar: "USER" }), {
    description:
      message`ClickHouse server user (env CLICKHOUSE_USER; default the server's default user)`,
  })),
  clickhousePassword: optional(option("--clickhouse-password", string({ metavar: "PASSWORD" }), {
    description: message`ClickHouse server password (env CLICKHOUSE_PASSWORD; default none)`,
  })),
} as const;

/** `--database NAME`, optional. */
export function databaseOption(description: Message) {
  return optional(option("--database", string({ metavar: "NAME" }), { description }));
}

/** `--data-dir DIR`, optional: the embedded engine's data directory. */
export const dataDir = optional(option("--data-dir", string({ metavar: "DIR" }), {
  description:
    message`Data directory of the embedded engine (env RISKTRAIN_DATA_DIR; default .risktrain/chdb)`,
}));

/** `--lock-timeout SECONDS`, optional: how long the embedded engine waits for its lock. */
export function lockTimeoutOption() {
  return optional(option("--lock-timeout", integer({ min: 0, metavar: "SECONDS" }), {
    description:
      message`Embedded engine: seconds to wait while another process uses the data directory (default no limit)`,
  }));
}

/** Flags naming the ClickHouse to use; shared by every command that reads data. */
export const connectionFlags = object("ClickHouse", {
  ...serverFlags,
  database: databaseOption(
    message`Database to use (env CLICKHOUSE_DATABASE; default risk_scoring_<network>)`,
  ),
  dataDir,
  lockTimeout: lockTimeoutOption(),
  connectTimeout: optional(
    option("--connect-timeout", integer({ min: 1, max: 86400, metavar: "SECONDS" }), {
      description: message`Server: seconds connecting may take (default 10)`,
    }),
  ),
});
