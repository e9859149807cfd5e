/**
 * The `import` command: loads the upstream's snapshot exports (`risk-scoring/snapshots/...`)
 * into a network's tables, embedded or server, with importSnapshots().
 *
 * @module
 */
import { merge, object } from "npm:@optique/core@0.7.19/constructs";
import { message } from "npm:@optique/core@0.7.19/message";
import { optional } from "npm:@optique/core@0.7.19/modifiers";
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import { command, constant, option } from "npm:@optique/core@0.7.19/primitives";
import { string } from "npm:@optique/core@0.7.19/valueparser";
import { openClickHouse } from "../clickhouse/open.ts";
import { DEFAULT_LOCK_DIR } from "../database_lock.ts";
import { importSnapshots } from "../import/import_snapshots.ts";
import type { CommandContext } from "./commands.ts";
import { connectionNeeds, resolveConnection } from "./connection.ts";
import { examples } from "./examples.ts";
import { seconds } from "./human.ts";
import { requirePermissions } from "./permissions.ts";
import { connectionFlags, dateOption, network } from "./shared_flags.ts";

/** The flags only `import` has (network and connection are shared). */
const importFlags = object("Import", {
  from: option("--from", string({ metavar: "DIR" }), {
    description:
      message`Export folder holding risk-scoring/snapshots/<network>/<date>/<window>/ (or risk-scoring/ itself)`,
  }),
  startDate: optional(dateOption(
    "--start-date",
    message`First processing_date folder to import (default the first one)`,
  )),
  endDate: optional(dateOption(
    "--end-date",
    message`Last processing_date folder to import (default the last one)`,
  )),
});

/** `import --network NETWORK --from DIR [--start-date] [--end-date] [connection flags]`. */
export const importCommand = command(
  "import",
  merge(object({ command: constant("import"), network }), importFlags, connectionFlags),
  {
    description: message`Load the upstream's snapshot exports (Parquet) into a network's tables`,
    footer: examples(
      "deno task import --network torus --from exports",
      "deno task import --network torus --from exports --start-date 2025-11-01 --end-date 2025-11-30",
    ),
  },
);

/** The parsed `import` command. */
type ImportCommand = InferValue<typeof importCommand>;

/**
 * Runs `import`: checks the permissions (reading `--from`), imports every batch folder of
 * the network (or those from `--start-date` to `--end-date`) and prints one line per batch.
 *
 * @example
 * ```ts ignore
 * await runImport(command, context);
 * ```
 */
export async function runImport(command: ImportCommand, context: CommandContext): Promise<void> {
  const connection = resolveConnection(command, context.env);
  const needs = connectionNeeds(connection);
  await requirePermissions({
    ...needs,
    read: [...(needs.read ?? []), command.from],
    write: [...(needs.write ?? []), DEFAULT_LOCK_DIR],
  });
  await using ch = await openClickHouse(connection.clickhouse);
  const result = await importSnapshots(ch, {
    network: command.network,
    database: connection.database,
    from: command.from,
    startDate: command.startDate,
    endDate: command.endDate,
    signal: context.signal,
    onProgress: (p) =>
      context.progress.update("import", {
        label: "Importing files",
        done: p.step,
        total: p.steps,
        unit: "files",
      }),
  });
  context.progress.end("import");
  context.progress.done();
  context.print(
    `Imported ${result.batches.length} batches into ${result.database} in ${
      seconds(result.seconds)
    } s:`,
  );
  for (const batch of result.batches) {
    const rows = Object.entries(batch.rows).map(([table, n]) => `${table} ${n}`).join(", ");
    const alerts = batch.hasAlerts ? "" : " (no alerts: features and money flows only)";
    context.print(`  ${batch.processingDate}/${batch.windowDays}  ${rows}${alerts}`);
  }
  context.print(
    result.labelsFile === undefined
      ? "  labels: no labels file"
      : `  labels: ${result.labelRows} rows from ${result.labelsFile}`,
  );
  const { dropped, added } = result.featureColumns;
  if (dropped.length + added.length > 0) {
    context.print(
      `  raw_features columns: dropped ${dropped.join(", ") || "none"}; added ${
        added.join(", ") || "none"
      }`,
    );
  }
  if (result.batches.some((batch) => !batch.hasAlerts)) {
    context.print(
      "  The alert and cluster models need alerts: batches without alerts.parquet cannot train them",
    );
  }
}
