/**
 * `models doctor`: lists (and with `--repair` fixes) disagreements between the model files
 * of an output directory and the `trained_models` rows pointing into them.
 *
 * @module
 */
import { object } from "npm:@optique/core@0.7.19/constructs";
import { message } from "npm:@optique/core@0.7.19/message";
import { optional } from "npm:@optique/core@0.7.19/modifiers";
import { command, constant, flag, option } from "npm:@optique/core@0.7.19/primitives";
import { integer, string } from "npm:@optique/core@0.7.19/valueparser";
import { openClickHouse } from "../clickhouse/open.ts";
import { RiskTrainError } from "../errors.ts";
import { checkRegistry } from "../storage/doctor.ts";
import { DEFAULT_OUTPUT_DIR } from "../storage/registry.ts";
import type { CommandContext } from "./commands.ts";
import { connectionNeeds, resolveConnection, usageError } from "./connection.ts";
import { examples } from "./examples.ts";
import { requirePermissions } from "./permissions.ts";

/** `models doctor [--output-dir DIR] [--repair] [connection flags]`. */
export const doctorCommand = command(
  "doctor",
  object({
    command: constant("models-doctor"),
    outputDir: optional(option("--output-dir", string({ metavar: "DIR" }), {
      description: message`Directory of the models (default trained_models)`,
    })),
    repair: optional(flag("--repair", {
      description:
        message`Repair the table: insert missing rows, fix ids, remove stale rows (default off)`,
    })),
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
    database: optional(option("--database", string({ metavar: "NAME" }), {
      description:
        message`A database to check besides those the models came from (default only those)`,
    })),
    dataDir: optional(option("--data-dir", string({ metavar: "DIR" }), {
      description:
        message`Data directory of the embedded engine (env RISKTRAIN_DATA_DIR; default .risktrain/chdb)`,
    })),
    lockTimeout: optional(option("--lock-timeout", integer({ min: 0, metavar: "SECONDS" }), {
      description: message`Embedded engine: seconds to wait for another process (default no limit)`,
    })),
  }),
  {
    description:
      message`List (and with --repair fix) disagreements between model files and trained_models rows; on the embedded engine run it as deno task doctor (it opens chDB)`,
    footer: examples(
      "deno task models doctor --clickhouse-url http://127.0.0.1:8123",
      "deno task models doctor --clickhouse-url http://127.0.0.1:8123 --database risk_scoring_torus --repair",
      "deno task doctor --output-dir trained_models --repair",
    ),
  },
);

/** The parsed `models doctor` command. */
export interface DoctorCommand {
  /** Discriminant. */
  command: "models-doctor";
  /** `--output-dir` */
  outputDir?: string;
  /** `--repair` */
  repair?: boolean;
  /** `--clickhouse-url` */
  clickhouseUrl?: string;
  /** `--clickhouse-user` */
  clickhouseUser?: string;
  /** `--clickhouse-password` */
  clickhousePassword?: string;
  /** `--database` */
  database?: string;
  /** `--data-dir` */
  dataDir?: string;
  /** `--lock-timeout` */
  lockTimeout?: number;
}

/**
 * Runs `models doctor`: prints one line per disagreement and a summary; fails (exit 1)
 * when disagreements remain.
 *
 * @example
 * ```ts ignore
 * await runDoctor({ command: "models-doctor", repair: true }, context);
 * ```
 */
export async function runDoctor(command: DoctorCommand, context: CommandContext): Promise<void> {
  if (command.outputDir === "") {
    usageError("outputDir", "Expected a value, not an empty one");
  }
  const outputDir = command.outputDir ?? DEFAULT_OUTPUT_DIR;
  const connection = resolveConnection(command, context.env);
  const needs = connectionNeeds(connection);
  await requirePermissions({ ...needs, read: [...(needs.read ?? []), outputDir] });
  await using ch = await openClickHouse(
    { ...connection.clickhouse, create: false },
    { signal: context.signal },
  );
  const problems = await checkRegistry(ch, {
    outputDir,
    database: connection.database,
    repair: command.repair ?? false,
    signal: context.signal,
  });
  for (const problem of problems) {
    context.print(
      `${problem.repaired ? "repaired" : "found"}  ${
        problem.kind.padEnd(13)
      }  ${problem.path}  ${problem.detail}`,
    );
  }
  const left = problems.filter((p) => !p.repaired).length;
  if (problems.length === 0) context.print(`Files and registry agree in ${outputDir}`);
  else context.print(`${problems.length - left} repaired, ${left} left in ${outputDir}`);
  if (left > 0) {
    throw new RiskTrainError(
      "STORAGE",
      `${left} disagreement${left > 1 ? "s" : ""} between files and registry in ${outputDir}${
        command.repair ? "" : " (run models doctor --repair)"
      }`,
    );
  }
}
