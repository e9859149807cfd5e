/**
 * `models doctor`: lists (and with `--repair` fixes) disagreements between the model files
 * of an output directory and the `trained_models` rows pointing into them.
 *
 * @module
 */
import { object } from "npm:@optique/core@0.7.19/constructs";
import { message } from "npm:@optique/core@0.7.19/message";
import { optional } from "npm:@optique/core@0.7.19/modifiers";
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import { command, constant, flag } from "npm:@optique/core@0.7.19/primitives";
import { openClickHouse } from "../clickhouse/open.ts";
import { RiskTrainError } from "../errors.ts";
import { checkRegistry } from "../storage/doctor.ts";
import { DEFAULT_OUTPUT_DIR } from "../storage/registry.ts";
import type { CommandContext } from "./commands.ts";
import { connectionNeeds, resolveConnection, usageError } from "./connection.ts";
import { examples } from "./examples.ts";
import { requirePermissions } from "./permissions.ts";
import {
  databaseOption,
  dataDir,
  lockTimeoutOption,
  outputDirOption,
  serverFlags,
} from "./shared_flags.ts";

/** `models doctor [--output-dir DIR] [--repair] [connection flags]`. */
export const doctorCommand = command(
  "doctor",
  object({
    command: constant("models-doctor"),
    outputDir: outputDirOption(message`Directory of the models (default trained_models)`),
    repair: optional(flag("--repair", {
      description:
        message`Repair the table: insert missing rows, fix ids, remove stale rows (default off)`,
    })),
    ...serverFlags,
    // Not the connection's --database (the one database to use): one more to check.
    database: databaseOption(
      message`A database to check besides those the models came from (default only those)`,
    ),
    dataDir,
    lockTimeout: lockTimeoutOption(),
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
export type DoctorCommand = InferValue<typeof doctorCommand>;

/**
 * Runs `models doctor`: prints one line per disagreement and a summary; fails (exit 1)
 * when disagreements remain.
 *
 * @example
 * ```ts ignore
 * await runDoctor(command, context);
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
