/**
 * Creates a network's database and the data contract's tables, idempotently.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { throwIfAborted } from "../errors.ts";
import type { ClickHouse } from "../types.ts";
import { databaseFor, DatabaseSchema, NetworkSchema, parseOptions } from "../options.ts";
import { SCHEMA_FILES, SCHEMA_UPGRADES } from "./schema_files.ts";

const logger = getLogger(["risktrain", "schema"]);

/** Options of {@linkcode migrate}. */
export interface MigrateOptions {
  /** Lowercase network identifier, e.g. `torus`. */
  network: string;
  /** Database to create; defaults to `risk_scoring_<network>`. */
  database?: string;
  /** Stops between statements; the promise rejects with a CancelledError. */
  signal?: AbortSignal;
}

/** The zod schema of {@linkcode MigrateOptions}. */
export const migrateOptionsSchema: z.ZodType<MigrateOptions> = z.object({
  network: NetworkSchema,
  database: DatabaseSchema.optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
}).strict();

/** What {@linkcode migrate} did. */
export interface MigrateResult {
  /** The database the tables live in. */
  database: string;
  /** The contract's tables, in the order they were applied. */
  tables: string[];
}

/**
 * Creates the network's database (`risk_scoring_<network>` unless `database` is given)
 * and applies schema/'s files in order. Every statement is `IF NOT EXISTS`, so running it
 * again changes nothing. The database name reaches ClickHouse as the `{db:Identifier}`
 * query parameter.
 *
 * @example
 * ```ts ignore
 * import { migrate } from "./migrate.ts";
 * const { database } = await migrate(ch, { network: "torus" });
 * ```
 */
export async function migrate(ch: ClickHouse, options: MigrateOptions): Promise<MigrateResult> {
  const parsed = parseOptions(migrateOptionsSchema, options, "migrate options");
  const { network, signal } = parsed;
  const database = databaseFor(network, parsed.database);
  const params = { db: database };
  throwIfAborted(signal);
  logger.info("Creating database {database}", { database, network });
  await ch.command("CREATE DATABASE IF NOT EXISTS {db:Identifier}", { params, signal });
  const tables: string[] = [];
  for (const { table, sql } of SCHEMA_FILES) {
    throwIfAborted(signal);
    logger.debug("Applying schema of {table}", { database, table });
    await ch.command(sql, { params, signal });
    tables.push(table);
  }
  for (const { table, sql } of SCHEMA_UPGRADES) {
    throwIfAborted(signal);
    logger.debug("Upgrading {table}", { database, table });
    await ch.command(sql, { params, signal });
  }
  logger.info("Schema applied to {database}", { database, tables: tables.length });
  return { database, tables };
}
