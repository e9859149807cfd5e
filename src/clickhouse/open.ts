/**
 * Chooses and opens a ClickHouse engine: the server over HTTP when a URL is given, else
 * the embedded chDB engine on a data directory.
 *
 * @module
 */
import { parseOptions } from "../options.ts";
import { z } from "npm:zod@4.6.7";
import type { ClickHouse } from "../types.ts";
import { EmbeddedClickHouse } from "./embedded.ts";
import { ServerClickHouse } from "./server.ts";

/** Where to find ClickHouse, as given (flags, CLICKHOUSE_* variables, .env). */
export interface ClickHouseOptions {
  /** HTTP(S) URL of a ClickHouse server; absent means the embedded engine. */
  url?: string;
  /** Server user (server engine only); ClickHouse's `default` when omitted. */
  user?: string;
  /** Server password (server engine only). */
  password?: string;
  /** Default database of every statement; must exist. */
  database?: string;
  /** The embedded engine's data directory; `.risktrain/chdb` when omitted. */
  dataDir?: string;
  /** Embedded engine: whether a missing data directory is created (default true). */
  create?: boolean;
  /** Embedded engine: how long to wait for another process's lock, in ms (default no limit). */
  lockTimeoutMs?: number;
  /** Server engine: how long connecting and the first queries may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Server engine: how long one request may take, in ms (default one hour). */
  requestTimeoutMs?: number;
}

/** Cancellation of {@linkcode openClickHouse}. */
export interface OpenControl {
  /** Cancels connecting, or waiting for the embedded engine's lock (CancelledError). */
  signal?: AbortSignal;
}

/** {@linkcode ClickHouseOptions} after validation, with defaults applied. */
export interface ResolvedClickHouseOptions extends ClickHouseOptions {
  /** The embedded engine's data directory. */
  dataDir: string;
}

/**
 * Validates {@linkcode ClickHouseOptions}: an http(s) URL, a user or password only with a
 * URL, non-empty names; `dataDir` defaults to `.risktrain/chdb`.
 *
 * @example
 * ```ts
 * import { ClickHouseOptionsSchema } from "./open.ts";
 * const options = ClickHouseOptionsSchema.parse({ url: "http://localhost:8123" });
 * console.assert(options.dataDir === ".risktrain/chdb");
 * ```
 */
export const ClickHouseOptionsSchema: z.ZodType<ResolvedClickHouseOptions, ClickHouseOptions> = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "Expected an http:// or https:// URL" })
      .optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    dataDir: z.string().min(1).default(".risktrain/chdb"),
    create: z.boolean().optional(),
    lockTimeoutMs: z.int().min(0).optional(),
    connectTimeoutMs: z.int().min(1).max(2_147_483_647).optional(),
    requestTimeoutMs: z.int().min(1).max(2_147_483_647).optional(),
  })
  .strict()
  .refine(
    (options) =>
      options.url !== undefined ||
      (options.user === undefined && options.password === undefined),
    { error: "A user or password needs a ClickHouse URL (the embedded engine has no users)" },
  );

/**
 * Opens ClickHouse: a {@linkcode ServerClickHouse} when `url` is given, else an
 * {@linkcode EmbeddedClickHouse} on `dataDir`. `control.signal` cancels connecting and the
 * wait for the embedded engine's lock. Invalid options throw CONFIG_INVALID; a
 * `database` that does not exist throws DATABASE_NOT_FOUND.
 *
 * @example
 * ```ts ignore
 * import { openClickHouse } from "./open.ts";
 * await using clickhouse = await openClickHouse({ dataDir: ".risktrain/chdb" });
 * console.log(clickhouse.kind, await clickhouse.version());
 * ```
 */
export async function openClickHouse(
  options: ClickHouseOptions = {},
  control: OpenControl = {},
): Promise<ClickHouse> {
  const parsed = parseOptions(ClickHouseOptionsSchema, options, "ClickHouse options");
  const { url, user, password, database, dataDir, create, lockTimeoutMs } = parsed;
  const { signal } = control;
  if (url !== undefined) {
    const { connectTimeoutMs, requestTimeoutMs } = parsed;
    return await ServerClickHouse.open({
      url,
      user,
      password,
      database,
      connectTimeoutMs,
      requestTimeoutMs,
      signal,
    });
  }
  return await EmbeddedClickHouse.open({ dataDir, database, create, lockTimeoutMs, signal });
}
