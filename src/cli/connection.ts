/**
 * Where the command line finds ClickHouse: flags first, then the environment, then .env;
 * and the permissions that choice needs.
 *
 * @module
 */
import type { InferValue } from "npm:@optique/core@0.7.19/parser";
import type { ClickHouseOptions } from "../clickhouse/open.ts";
import { DatabaseSchema } from "../options.ts";
import { hostOf, type PermissionNeeds } from "./permissions.ts";
import type { connectionFlags } from "./shared_flags.ts";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import { flagOf } from "./flag_errors.ts";

/**
 * The ClickHouse flags every data command takes (`--clickhouse-url`, `--database`,
 * `--data-dir`, `--lock-timeout` and `--connect-timeout` in seconds, ...), any of them absent.
 */
export type ConnectionFlags = Partial<InferValue<typeof connectionFlags>>;

/** The environment variables the command line reads (and the permission sets allow). */
export const ENV_VARIABLES = [
  "CLICKHOUSE_URL",
  "CLICKHOUSE_USER",
  "CLICKHOUSE_PASSWORD",
  "CLICKHOUSE_DATABASE",
  "RISKTRAIN_DATA_DIR",
  "RISKTRAIN_LOG_LEVEL",
] as const;

/** The embedded engine's default data directory. */
export const DEFAULT_DATA_DIR = ".risktrain/chdb";

/** A resolved connection: options for `openClickHouse` and the explicit database, if any. */
export interface Connection {
  /** Options of `openClickHouse` (no database: stages take it per network). */
  clickhouse: ClickHouseOptions;
  /** The database named by `--database` or CLICKHOUSE_DATABASE, overriding the default. */
  database?: string;
}

/**
 * Resolves the connection from flags, then `env` (the process environment laid over .env).
 * Usage mistakes (an empty value, a URL that is not http(s), a user without a server, an
 * invalid database name) throw {@linkcode usageError}s (exit 2) before anything is opened.
 *
 * @example
 * ```ts
 * import { resolveConnection } from "./connection.ts";
 * const { clickhouse } = resolveConnection({}, { CLICKHOUSE_URL: "http://127.0.0.1:8123" });
 * console.assert(clickhouse.url === "http://127.0.0.1:8123");
 * ```
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  for (const key of ["clickhouseUrl", "database", "dataDir", "clickhouseUser"] as const) {
    if (flags[key] === "") usageError(key, "Expected a value, not an empty one");
  }
  const url = flags.clickhouseUrl ?? nonEmpty(env.CLICKHOUSE_URL);
  if (url === undefined) {
    for (const key of ["clickhouseUser", "clickhousePassword", "connectTimeout"] as const) {
      if (flags[key] !== undefined) {
        usageError(key, "Needs a ClickHouse server (--clickhouse-url or CLICKHOUSE_URL)");
      }
    }
  } else {
    checkUrl(url);
    for (const key of ["dataDir", "lockTimeout"] as const) {
      if (flags[key] !== undefined) {
        usageError(key, "Is for the embedded engine, not a ClickHouse server URL");
      }
    }
  }
  const clickhouse: ClickHouseOptions = url === undefined
    ? {
      dataDir: flags.dataDir ?? nonEmpty(env.RISKTRAIN_DATA_DIR) ?? DEFAULT_DATA_DIR,
      lockTimeoutMs: flags.lockTimeout === undefined ? undefined : flags.lockTimeout * 1000,
    }
    : {
      url,
      user: flags.clickhouseUser ?? nonEmpty(env.CLICKHOUSE_USER),
      password: flags.clickhousePassword ?? env.CLICKHOUSE_PASSWORD,
      connectTimeoutMs: flags.connectTimeout === undefined
        ? undefined
        : flags.connectTimeout * 1000,
    };
  const database = flags.database ?? nonEmpty(env.CLICKHOUSE_DATABASE);
  if (database !== undefined && !DatabaseSchema.safeParse(database).success) {
    usageError("database", `Expected letters, digits and underscores: ${database}`);
  }
  return { clickhouse, database };
}

/**
 * Throws a usage mistake about the flag of option `key` (e.g. `outputDir` for
 * `--output-dir`) as a CONFIG_INVALID error with a zod issue at that key, which the runner
 * prints as a usage error (exit 2) in the flag's name.
 *
 * @example
 * ```ts
 * import { usageError } from "./connection.ts";
 * try {
 *   usageError("outputDir", "Expected a value, not an empty one");
 * } catch (error) {
 *   console.assert((error as { code?: string }).code === "CONFIG_INVALID");
 * }
 * ```
 */
export function usageError(key: string, message: string): never {
  const cause = new z.ZodError([{ code: "custom", path: [key], message, input: undefined }]);
  throw new RiskTrainError("CONFIG_INVALID", `${flagOf(key)}: ${message}`, { cause });
}

/** An http:// or https:// URL with a host, else a usage error saying so. */
function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    usageError("clickhouseUrl", `Expected an http:// or https:// URL (http(s) only): ${url}`);
  }
  if (parsed.hostname === "") usageError("clickhouseUrl", `Expected a URL with a host: ${url}`);
}

/**
 * The permissions a connection needs: the server's host, or native code and the data
 * directory for the embedded engine.
 *
 * @example
 * ```ts
 * import { connectionNeeds } from "./connection.ts";
 * const needs = connectionNeeds({ clickhouse: { url: "http://ch:8123" } });
 * console.assert(needs.net?.[0] === "ch:8123");
 * ```
 */
export function connectionNeeds(connection: Connection): PermissionNeeds {
  const { url, dataDir } = connection.clickhouse;
  if (url !== undefined) return { net: [hostOf(url)] };
  const dir = dataDir ?? DEFAULT_DATA_DIR;
  return { ffi: true, write: [dir], read: [dir] };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
