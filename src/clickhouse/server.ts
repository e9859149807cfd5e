/**
 * The server engine: a ClickHouse server over HTTP through @clickhouse/client. Results are
 * requested as `ArrowStream` (the `default_format` setting) and decoded batch by batch from
 * the response body; inserts send Arrow IPC or JSONEachRow bytes as the request body.
 *
 * @module
 */
import {
  type ClickHouseClient,
  type ClickHouseSettings,
  createClient,
  type ErrorLogParams,
  type Logger,
  type LogParams,
  type WarnLogParams,
} from "npm:@clickhouse/client@1.23.1";
import type { RecordBatch, Schema, Table } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { CancelledError, RiskTrainError, throwIfAborted } from "../errors.ts";
import type { ClickHouse, InsertData, StatementOptions } from "../types.ts";
import { ARROW_OUTPUT_SETTINGS, collectTable, readArrowBatches } from "./arrow_batches.ts";
import {
  AUTH_ERROR_CODES,
  parseClickHouseError,
  sanitizeText,
  toRiskTrainError,
} from "./clickhouse_error.ts";
import { insertColumns, insertPayload } from "./insert_payload.ts";
import { insertColumnTypes } from "./insert_target.ts";
import { bindParams } from "./query_params.ts";

const logger = getLogger(["risktrain", "clickhouse"]);
const clientLogger = getLogger(["risktrain", "clickhouse", "client"]);

/**
 * Sends @clickhouse/client's own log records to LogTape. Its request errors are logged at
 * debug level: the engine rethrows each of them as a RiskTrainError.
 */
class ClientLogger implements Logger {
  trace({ message, args }: LogParams): void {
    clientLogger.trace(message, { ...args });
  }
  debug({ message, args }: LogParams): void {
    clientLogger.debug(message, { ...args });
  }
  info({ message, args }: LogParams): void {
    clientLogger.info(message, { ...args });
  }
  warn({ message, args, err }: WarnLogParams): void {
    clientLogger.warn(message, { ...args, error: err });
  }
  error({ message, args, err }: ErrorLogParams): void {
    clientLogger.debug(message, { ...args, error: err });
  }
}

/** The oldest ClickHouse server risktrain accepts (query parameters, Arrow, Identifier). */
export const MINIMUM_SERVER_VERSION = "23.8";

const INSERT_SQL = {
  ArrowStream: "INSERT INTO {database:Identifier}.{table:Identifier} FORMAT ArrowStream",
  JSONEachRow: "INSERT INTO {database:Identifier}.{table:Identifier} FORMAT JSONEachRow",
} as const;
const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EPIPE",
]);

/** Options of {@linkcode ServerClickHouse.open}. */
export interface ServerClickHouseOptions {
  /** The server's HTTP(S) URL, e.g. `http://localhost:8123`. */
  url: string;
  /** User name; ClickHouse's `default` when omitted. */
  user?: string;
  /** Password of the user. */
  password?: string;
  /** Default database of every statement. */
  database?: string;
  /** How long one request may take, in ms (default one hour; cancel with a signal). */
  requestTimeoutMs?: number;
  /** How long connecting (the version and database checks) may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Cancels connecting (CancelledError). */
  signal?: AbortSignal;
}

/** The default of {@linkcode ServerClickHouseOptions.connectTimeoutMs}. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Whether `version` (e.g. `23.8.1.1`) is at least `minimum` (e.g. `23.8`). */
function atLeast(version: string, minimum: string): boolean {
  const have = version.split(".").map(Number);
  const need = minimum.split(".").map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    if (Number.isNaN(a)) return false;
    if (a !== need[i]) return a > need[i];
  }
  return true;
}

/**
 * Statement settings plus Arrow output. The client types `default_format` with the formats
 * it parses itself; ArrowStream is one it passes through untouched.
 */
function arrowSettings(settings: StatementOptions["settings"]): ClickHouseSettings {
  const all: Record<string, unknown> = {
    ...settings,
    ...ARROW_OUTPUT_SETTINGS,
    default_format: "ArrowStream",
  };
  return all as ClickHouseSettings;
}

function isNetworkError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERRORS.has(code)) return true;
    if (/timeout error|socket hang up|connection refused/i.test(e.message)) return true;
  }
  return false;
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return error instanceof Error && error.name === "AbortError";
}

/**
 * ClickHouse 23.8 or newer reached over HTTP. `open` checks the server's version with a
 * plain query (an old server understands neither parameters nor Arrow) and refuses an
 * older one.
 *
 * @example
 * ```ts ignore
 * import { ServerClickHouse } from "./server.ts";
 * await using clickhouse = await ServerClickHouse.open({ url: "http://localhost:8123" });
 * const table = await clickhouse.query("SELECT {n:UInt8} AS n", { params: { n: 7 } });
 * ```
 */
export class ServerClickHouse implements ClickHouse {
  /** Which engine this is. */
  readonly kind = "server" as const;
  /** The server's URL (without credentials). */
  readonly url: string;
  readonly #client: ClickHouseClient;
  readonly #version: string;
  readonly #database: string;
  #closed = false;

  private constructor(url: string, client: ClickHouseClient, version: string, database: string) {
    this.url = url;
    this.#client = client;
    this.#version = version;
    this.#database = database;
  }

  /**
   * Connects and checks the server: CLICKHOUSE_UNREACHABLE naming the URL when nothing
   * answers, CLICKHOUSE_AUTH for rejected credentials, CLICKHOUSE_VERSION for a server
   * older than 23.8, DATABASE_NOT_FOUND for a missing default database.
   */
  static async open(options: ServerClickHouseOptions): Promise<ServerClickHouse> {
    throwIfAborted(options.signal);
    const url = new URL(options.url);
    url.username = "";
    url.password = "";
    const shownUrl = url.toString().replace(/\/$/, "");
    const client = createClient({
      url: shownUrl,
      username: options.user ?? "default",
      password: options.password ?? "",
      compression: { request: false, response: false },
      request_timeout: options.requestTimeoutMs ?? 3_600_000,
      log: { LoggerClass: ClientLogger },
    });
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(connectTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const version = await ServerClickHouse.#serverVersion(client, shownUrl, options.user, signal);
      if (!atLeast(version, MINIMUM_SERVER_VERSION)) {
        throw new RiskTrainError(
          "CLICKHOUSE_VERSION",
          `ClickHouse ${version} is too old: risktrain needs ${MINIMUM_SERVER_VERSION} or newer`,
        );
      }
      const database = options.database ?? "default";
      const engine = new ServerClickHouse(shownUrl, client, version, database);
      const found = await engine.query(
        "SELECT name FROM system.databases WHERE name = {database:String}",
        { params: { database }, signal },
      );
      if (found.numRows === 0) {
        throw new RiskTrainError("DATABASE_NOT_FOUND", `Database not found: ${database}`);
      }
      logger.debug("Connected to ClickHouse {version} at {url}", { version, url: shownUrl });
      return engine;
    } catch (error) {
      await client.close();
      if (options.signal?.aborted) throw new CancelledError(options.signal.reason);
      if (timeout.aborted) {
        throw new RiskTrainError(
          "CLICKHOUSE_UNREACHABLE",
          `ClickHouse at ${shownUrl} did not answer within ${
            connectTimeoutMs / 1000
          } s (the connect timeout)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** `SELECT version()` as plain SQL: no parameters, no settings, text output. */
  static async #serverVersion(
    client: ClickHouseClient,
    url: string,
    user: string | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    try {
      const result = await client.query({
        query: "SELECT version()",
        format: "TabSeparated",
        abort_signal: signal,
      });
      return (await result.text()).trim();
    } catch (error) {
      if (signal.aborted) throw error;
      if (isNetworkError(error)) {
        throw new RiskTrainError(
          "CLICKHOUSE_UNREACHABLE",
          `ClickHouse is unreachable at ${url}: ${
            sanitizeText(error instanceof Error ? error.message : String(error))
          }`,
          { cause: error },
        );
      }
      const mapped = toRiskTrainError(error);
      if (mapped.clickhouseCode !== undefined && AUTH_ERROR_CODES.has(mapped.clickhouseCode)) {
        throw new RiskTrainError(
          "CLICKHOUSE_AUTH",
          `ClickHouse at ${url} rejected the credentials of user ${user ?? "default"}: ${
            mapped.message.replace(/^ClickHouse error \d+: /, "")
          }`,
          { cause: error, clickhouseCode: mapped.clickhouseCode },
        );
      }
      throw mapped;
    }
  }

  #failure(error: unknown, signal?: AbortSignal): RiskTrainError {
    if (error instanceof RiskTrainError) return error;
    if (isAbort(error, signal)) return new CancelledError(signal?.reason ?? error);
    if (isNetworkError(error)) {
      return new RiskTrainError(
        "CLICKHOUSE_UNREACHABLE",
        `ClickHouse is unreachable at ${this.url}: ${
          sanitizeText(error instanceof Error ? error.message : String(error))
        }`,
        { cause: error },
      );
    }
    return toRiskTrainError(error);
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new RiskTrainError("CLICKHOUSE_QUERY", "The ClickHouse engine is closed");
    }
  }

  /** The server's version, e.g. `24.3.1.2`. */
  version(): Promise<string> {
    return Promise.resolve(this.#version);
  }

  /** Runs a statement that returns no rows. */
  async command(sql: string, options: StatementOptions = {}): Promise<void> {
    this.#assertOpen();
    throwIfAborted(options.signal);
    try {
      await this.#client.command({
        query: sql,
        query_params: bindParams(sql, options.params),
        clickhouse_settings: { ...options.settings },
        abort_signal: options.signal,
        http_headers: { "X-ClickHouse-Database": this.#database },
      });
    } catch (error) {
      throw this.#failure(error, options.signal);
    }
  }

  /** Runs a query and collects its Arrow record batches into one table. */
  async query(sql: string, options: StatementOptions = {}): Promise<Table> {
    return await collectTable((onSchema) => this.#stream(sql, options, onSchema));
  }

  /** Runs a query and yields its result one Arrow record batch at a time. */
  stream(sql: string, options: StatementOptions = {}): AsyncIterable<RecordBatch> {
    return this.#stream(sql, options);
  }

  async *#stream(
    sql: string,
    options: StatementOptions,
    onSchema?: (schema: Schema) => void,
  ): AsyncGenerator<RecordBatch> {
    this.#assertOpen();
    const { signal, onProgress } = options;
    throwIfAborted(signal);
    let body: AsyncIterable<Uint8Array> & { destroy?: () => void };
    try {
      const result = await this.#client.exec({
        query: sql,
        query_params: bindParams(sql, options.params),
        clickhouse_settings: arrowSettings(options.settings),
        abort_signal: signal,
        http_headers: { "X-ClickHouse-Database": this.#database },
      });
      body = result.stream as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
    } catch (error) {
      throw this.#failure(error, signal);
    }
    let tail: Uint8Array = new Uint8Array(0);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        tail = chunk.byteLength >= 4096 ? chunk.subarray(chunk.byteLength - 4096) : chunk;
        yield chunk;
      }
    }
    try {
      yield* readArrowBatches(chunks(), { signal, onProgress, onSchema });
    } catch (error) {
      const failure = this.#failure(error, signal);
      if (failure.clickhouseCode !== undefined || failure.code === "CANCELLED") throw failure;
      // ClickHouse reports an error raised mid-stream as text after the Arrow bytes.
      const text = new TextDecoder().decode(tail);
      if (parseClickHouseError(text)) throw toRiskTrainError(new Error(text, { cause: error }));
      throw failure;
    } finally {
      body.destroy?.();
    }
  }

  /**
   * Inserts an Arrow table (as Arrow IPC) or rows (as JSONEachRow) into `table`, matching
   * columns by name; omitted columns take their defaults.
   */
  async insert(
    table: string,
    data: InsertData,
    options: { database?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    this.#assertOpen();
    const { signal } = options;
    throwIfAborted(signal);
    const database = options.database ?? this.#database;
    const types = await insertColumnTypes(this, database, table, insertColumns(data), signal);
    const payload = insertPayload(data, types);
    if (payload.numRows === 0) return;
    try {
      const result = await this.#client.exec({
        query: INSERT_SQL[payload.format],
        query_params: { database, table },
        values: Readable.from([
          Buffer.from(payload.bytes.buffer, payload.bytes.byteOffset, payload.bytes.byteLength),
        ]),
        abort_signal: signal,
      });
      for await (const _ of result.stream) { /* the response to an INSERT is empty */ }
      logger.debug("Inserted {rows} rows into {database}.{table}", {
        rows: payload.numRows,
        database,
        table,
      });
    } catch (error) {
      throw this.#failure(error, signal);
    }
  }

  /**
   * Runs an INSERT whose data is `body`, in the format the statement names: `INSERT INTO t
   * FORMAT Parquet`, or `INSERT INTO t SELECT ... FROM input({structure:String}) FORMAT
   * Parquet` to convert while inserting (the snapshot import sends Parquet files so).
   */
  async insertData(sql: string, body: Uint8Array, options: StatementOptions = {}): Promise<void> {
    this.#assertOpen();
    const { signal } = options;
    throwIfAborted(signal);
    try {
      const result = await this.#client.exec({
        query: sql,
        query_params: bindParams(sql, options.params),
        clickhouse_settings: { ...options.settings },
        values: Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]),
        abort_signal: signal,
        http_headers: { "X-ClickHouse-Database": this.#database },
      });
      for await (const _ of result.stream) { /* the response to an INSERT is empty */ }
    } catch (error) {
      throw this.#failure(error, signal);
    }
  }

  /** Closes the HTTP connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  /** Closes the engine at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
