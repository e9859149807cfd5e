/**
 * The embedded engine: ClickHouse in-process through chDB, a Session on a data directory.
 * Only one chDB data directory can be open per process.
 *
 * @module
 */
import type { Session } from "npm:chdb@3.4.0";
import type { RecordBatch, Schema, Table } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { join } from "node:path";
import { CancelledError, RiskTrainError, throwIfAborted } from "../errors.ts";
import { acquireLock } from "../file_lock.ts";
import type { ClickHouse, InsertData, StatementOptions } from "../types.ts";
import { ARROW_OUTPUT_SETTINGS, collectTable, readArrowBatches } from "./arrow_batches.ts";
import { ChdbConnection } from "./chdb_connection.ts";
import { toRiskTrainError } from "./clickhouse_error.ts";
import { insertColumns, insertPayload } from "./insert_payload.ts";
import { insertColumnTypes } from "./insert_target.ts";
import { bindParams, type BoundParam } from "./query_params.ts";
import { settingsClause } from "./statement_settings.ts";

const logger = getLogger(["risktrain", "clickhouse"]);

const INSERT_ARROW_SQL = "INSERT INTO {database:Identifier}.{table:Identifier} " +
  "SELECT * FROM file({path:String}, 'ArrowStream')";
const INSERT_JSON_SQL = "INSERT INTO {database:Identifier}.{table:Identifier} " +
  "SELECT * FROM file({path:String}, 'JSONEachRow')";

/** Options of {@linkcode EmbeddedClickHouse.open}. */
export interface EmbeddedClickHouseOptions {
  /** The chDB data directory; created when missing. */
  dataDir: string;
  /** Default database of every statement (`USE`); must exist. */
  database?: string;
  /** Whether a missing data directory is created (default true); false refuses it. */
  create?: boolean;
  /** Cancels the wait for another process's lock on the data directory. */
  signal?: AbortSignal;
  /** Gives up waiting for another process's lock after this many ms (default: no limit). */
  lockTimeoutMs?: number;
}

/**
 * The lock file inside a data directory: a process holds it while its chDB session is
 * open, so that a second process waits instead of failing on chDB's own lock.
 */
export const ENGINE_LOCK_FILE = ".risktrain.lock";

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return error instanceof Error &&
    ((error as { code?: string }).code === "CHDB_ABORT" || error.name === "AbortError");
}

function failure(error: unknown, signal?: AbortSignal): RiskTrainError {
  if (error instanceof RiskTrainError) return error;
  if (isAbort(error, signal)) return new CancelledError(signal?.reason ?? error);
  return toRiskTrainError(error);
}

/**
 * A statement ready for chDB: SQL with its SETTINGS clause, and bound parameters. A
 * streamed query with settings runs as a subquery, because chDB's streaming path applies
 * an outer SETTINGS clause before it binds parameters (the subquery's settings still
 * govern the whole pipeline).
 */
function prepare(
  sql: string,
  options: StatementOptions,
  streamed: boolean,
): { sql: string; params: Record<string, BoundParam> } {
  const settings = settingsClause(options.settings);
  const params = { ...bindParams(sql, options.params), ...settings.params };
  const statement = sql.replace(/[\s;]+$/, "") + settings.clause;
  if (!streamed || settings.clause === "") return { sql: statement, params };
  return { sql: "SELECT * FROM (" + statement + ")", params };
}

/**
 * ClickHouse embedded in this process (chDB). Results come as Arrow IPC streams, decoded
 * block by block; inserts go through a file in `<dataDir>/user_files/risktrain/` that
 * ClickHouse reads with `file()`, removed afterwards.
 *
 * @example
 * ```ts ignore
 * import { EmbeddedClickHouse } from "./embedded.ts";
 * await using clickhouse = await EmbeddedClickHouse.open({ dataDir: ".risktrain/chdb" });
 * const table = await clickhouse.query("SELECT {n:UInt8} AS n", { params: { n: 7 } });
 * ```
 */
export class EmbeddedClickHouse implements ClickHouse {
  /** Which engine this is. */
  readonly kind = "embedded" as const;
  /** The chDB data directory. */
  readonly dataDir: string;
  readonly #connection: ChdbConnection;
  readonly #scratchDir: string;
  readonly #version: string;
  readonly #database: string;
  readonly #lock: AsyncDisposable;
  #closed = false;

  private constructor(
    dataDir: string,
    connection: ChdbConnection,
    scratchDir: string,
    version: string,
    database: string,
    lock: AsyncDisposable,
  ) {
    this.dataDir = dataDir;
    this.#lock = lock;
    this.#connection = connection;
    this.#scratchDir = scratchDir;
    this.#version = version;
    this.#database = database;
  }

  /**
   * Opens (creating when missing, unless `create` is false) a chDB session on
   * `options.dataDir`, after taking the directory's lock: while another process has it
   * open, this one logs who holds it and waits (cancelled by `signal`, ended by
   * `lockTimeoutMs`).
   */
  static async open(options: EmbeddedClickHouseOptions): Promise<EmbeddedClickHouse> {
    throwIfAborted(options.signal);
    await openDataDir(options.dataDir, options.create ?? true);
    const lock = await acquireLock(join(options.dataDir, ENGINE_LOCK_FILE), {
      signal: options.signal,
      timeoutMs: options.lockTimeoutMs,
      onWait: (holder) =>
        logger.info("Waiting for {holder} to close the embedded ClickHouse at {dataDir}", {
          holder,
          dataDir: options.dataDir,
        }),
    });
    try {
      return await EmbeddedClickHouse.#openLocked(options, lock);
    } catch (error) {
      await lock[Symbol.asyncDispose]();
      throw error;
    }
  }

  static async #openLocked(
    options: EmbeddedClickHouseOptions,
    lock: AsyncDisposable,
  ): Promise<EmbeddedClickHouse> {
    const connectionArgs = Object.entries(ARROW_OUTPUT_SETTINGS).map(([name, value]) =>
      `--${name}=${value}`
    );
    const chdb = await loadChdb();
    let session: Session;
    try {
      session = new chdb.Session(options.dataDir, { connectionArgs });
    } catch (error) {
      throw new RiskTrainError(
        "STORAGE",
        `Cannot open the embedded ClickHouse data directory: ${options.dataDir} (${
          error instanceof Error ? error.message : String(error)
        })`,
        { cause: error },
      );
    }
    try {
      if (options.database !== undefined) {
        session.queryBind("USE {database:Identifier}", { database: options.database }, "TSV");
      }
      const [version, database] = session.query("SELECT version(), currentDatabase()", "TSV")
        .trim().split("\t");
      // Inside the data directory (ClickHouse's user_files): the only place the embedded
      // engine may write under the command line's permissions.
      const scratchDir = join(options.dataDir, "user_files", "risktrain");
      await Deno.mkdir(scratchDir, { recursive: true });
      logger.debug("Opened embedded ClickHouse {version} on {dataDir}", {
        version,
        dataDir: options.dataDir,
      });
      return new EmbeddedClickHouse(
        options.dataDir,
        new ChdbConnection(session),
        scratchDir,
        version,
        database,
        lock,
      );
    } catch (error) {
      session.close();
      throw failure(error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new RiskTrainError("CLICKHOUSE_QUERY", "The ClickHouse engine is closed");
    }
  }

  /** The chDB engine's ClickHouse version, e.g. `26.7.2.1`. */
  version(): Promise<string> {
    return Promise.resolve(this.#version);
  }

  /** Runs a statement that returns no rows. */
  async command(sql: string, options: StatementOptions = {}): Promise<void> {
    this.#assertOpen();
    throwIfAborted(options.signal);
    const statement = prepare(sql, options, false);
    try {
      await this.#connection.run(statement.sql, statement.params, "TSV", options.signal);
    } catch (error) {
      throw failure(error, options.signal);
    }
  }

  /** Runs a query and collects its Arrow record batches into one table. */
  async query(sql: string, options: StatementOptions = {}): Promise<Table> {
    return await collectTable((onSchema) => this.#stream(sql, options, onSchema));
  }

  /** Runs a query and yields its result one Arrow record batch per ClickHouse block. */
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
    const statement = prepare(sql, options, true);
    const chunks = this.#connection.stream(statement.sql, statement.params, "ArrowStream", signal);
    try {
      yield* readArrowBatches(chunks, { signal, onProgress, onSchema });
    } catch (error) {
      throw failure(error, signal);
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
    const path = join(this.#scratchDir, `insert-${crypto.randomUUID()}`);
    await Deno.writeFile(path, payload.bytes);
    try {
      const sql = payload.format === "ArrowStream" ? INSERT_ARROW_SQL : INSERT_JSON_SQL;
      await this.#connection.run(sql, { database, table, path }, "TSV", signal);
      logger.debug("Inserted {rows} rows into {database}.{table}", {
        rows: payload.numRows,
        database,
        table,
      });
    } catch (error) {
      throw failure(error, signal);
    } finally {
      await Deno.remove(path);
    }
  }

  /** Closes the chDB session and waits until the engine has released it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.close();
    await (await loadChdb()).drainPending();
    await Deno.remove(this.#scratchDir).catch(() => {/* another engine still inserts */});
    await this.#lock[Symbol.asyncDispose]();
  }

  /** Closes the engine at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Makes sure the data directory exists: creates it, or (with `create` false) refuses a
 * missing one before chDB could lay out an empty skeleton there.
 */
async function openDataDir(dataDir: string, create: boolean): Promise<void> {
  if (create) {
    try {
      await Deno.mkdir(dataDir, { recursive: true });
    } catch (error) {
      throw new RiskTrainError(
        error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
          ? "PERMISSION_MISSING"
          : "STORAGE",
        `Cannot create the embedded ClickHouse data directory: ${dataDir} (${
          error instanceof Error ? error.message : String(error)
        })`,
        { cause: error },
      );
    }
    return;
  }
  try {
    if ((await Deno.stat(dataDir)).isDirectory) return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  throw new RiskTrainError(
    "STORAGE",
    `No embedded ClickHouse data directory at ${dataDir} (check --data-dir, or generate or ` +
      `migrate a network first)`,
  );
}

/**
 * Loads chDB's native library on first use, so that importing risktrain needs no
 * `--allow-ffi`: only opening the embedded engine does.
 */
async function loadChdb(): Promise<typeof import("npm:chdb@3.4.0")> {
  const ffi = await Deno.permissions.query({ name: "ffi" });
  if (ffi.state !== "granted") {
    throw new RiskTrainError(
      "PERMISSION_MISSING",
      "The embedded ClickHouse engine loads chDB's native library: run with --allow-ffi " +
        "(or give a ClickHouse server URL)",
    );
  }
  return await import("npm:chdb@3.4.0");
}
