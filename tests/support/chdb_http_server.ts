/**
 * ClickHouse's HTTP interface served from chDB, for testing the server engine end to end
 * with @clickhouse/client against a current ClickHouse engine. Run it as its own process
 * (only one chDB data directory may be open per process):
 *
 * ```sh
 * deno run -A tests/support/chdb_http_server.ts --port 0 --data-dir DIR [--user U --password P]
 * ```
 *
 * It prints the port it listens on (127.0.0.1) as the first line of stdout, and stops on
 * SIGTERM or SIGINT. What it implements of the HTTP interface: GET and POST on `/` with
 * the query in the `query` URL parameter, in the body, or both (URL prefix, body as the
 * INSERT data, also as the `input()` of an `INSERT ... SELECT ... FROM input(...) FORMAT F`);
 * `param_*`; `database` (or X-ClickHouse-Database); `default_format` (or
 * X-ClickHouse-Format); `query_id`; every other URL parameter as a setting; credentials
 * from X-ClickHouse-User/X-ClickHouse-Key, basic auth or `user`/`password`, wrong ones
 * refused with code 516 and HTTP 401; X-ClickHouse-Query-Id, -Format, -Timezone,
 * -Server-Display-Name and -Summary headers; errors with ClickHouse's HTTP status, its
 * `Code: N. DB::Exception: ...` body and X-ClickHouse-Exception-Code; `/ping`; `INTO
 * OUTFILE` refused as a server does (code 358). Responses are never compressed. Requests
 * run one at a time on the single chDB session. Not implemented: sessions (`session_id`
 * is ignored), GET implying readonly, progress headers, and summaries of streamed results
 * (their X-ClickHouse-Summary is `{}`).
 *
 * Parameters reach the engine as the exact text the client sent, through chDB's native
 * binding: chDB's JavaScript binder would escape that already-escaped text a second time.
 *
 * @module
 */
import { Session } from "npm:chdb@3.4.0";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** What the harness answers to one request. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body: BodyInit | null;
}

/** The native chDB calls the harness makes (chdb 3.4.0's addon). */
interface NativeChdb {
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params: Record<string, string>,
  ): Promise<
    { bytes: Uint8Array<ArrayBuffer>; elapsed: number; rowsRead: number; bytesRead: number }
  >;
  StreamQuery(
    connection: unknown,
    sql: string,
    format: string,
    params: Record<string, string>,
  ): unknown;
  StreamFetch(
    handle: unknown,
  ): Promise<{ done: boolean; bytes: Uint8Array<ArrayBuffer>; numRows: number }>;
  StreamCancel(handle: unknown): void;
}

const require = createRequire(import.meta.url);
const native: NativeChdb = require(join(dirname(require.resolve("chdb")), "dist", "loader.js"))
  .loadNative();

/** URL parameters of the HTTP interface that are not settings. */
const NOT_SETTINGS = new Set([
  "query",
  "database",
  "default_format",
  "query_id",
  "user",
  "password",
  "quota_key",
  "session_id",
  "session_timeout",
  "session_check",
  "close_session",
  "compress",
  "decompress",
  "buffer_size",
  "wait_end_of_query",
  "stacktrace",
  "role",
  "client_protocol_version",
]);
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INSERT_WITH_FORMAT = /^(\s*INSERT\s+INTO\s[\s\S]*?)\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;
const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;
const INTO_OUTFILE = /\bINTO\s+OUTFILE\b/i;
const INPUT_FUNCTION = /\binput\s*\(/i;

/** ClickHouse's HTTP status for an error code (HTTPHandler's exceptionCodeToHTTPStatus). */
function httpStatusFor(code: number): number {
  if ([192, 193, 194, 516].includes(code)) return 401;
  if ([164, 291, 497].includes(code)) return 403;
  if ([46, 47, 50, 60, 73, 81, 83, 107, 115].includes(code)) return 404;
  if ([6, 27, 32, 33, 38, 41, 53, 62, 69, 70, 72, 117, 130, 456, 457].includes(code)) {
    return 400;
  }
  return 500;
}

function contentTypeFor(format: string): string {
  if (/^(TabSeparated|TSV)/i.test(format)) return "text/tab-separated-values; charset=UTF-8";
  if (/^CSV/i.test(format)) return "text/csv; charset=UTF-8; header=absent";
  if (/^JSON/i.test(format)) return "application/json; charset=UTF-8";
  if (/^(Arrow|Parquet|ORC|Native|RowBinary|Avro)/i.test(format)) {
    return "application/octet-stream";
  }
  return "text/plain; charset=UTF-8";
}

/** The part of an engine error message ClickHouse sends: `Code: N. DB::Exception: ...`. */
function clickhouseText(error: unknown): { code: number; text: string } {
  const message = error instanceof Error ? error.message : String(error);
  const start = message.indexOf("Code: ");
  const text = start >= 0 ? message.slice(start) : `Code: 1001. DB::Exception: ${message}`;
  const code = Number(/^Code: (\d+)\./.exec(text)?.[1] ?? 1001);
  return { code, text };
}

const EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/**
 * chDB writes each block of an ArrowStream result as a complete IPC stream (schema,
 * batch, end-of-stream marker); a ClickHouse server writes one stream. This joins them:
 * the first block keeps its schema, later blocks lose theirs, and only the end of the
 * response carries the end-of-stream marker.
 */
function arrowBlockBody(block: Uint8Array<ArrayBuffer>, first: boolean): Uint8Array<ArrayBuffer> {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const endsWithEos = block.byteLength >= 8 &&
    EOS.every((byte, i) => block[block.byteLength - 8 + i] === byte);
  if (view.getUint32(0, true) !== 0xffffffff || !endsWithEos) {
    throw new Error("chDB returned an ArrowStream block that is not one IPC stream");
  }
  const start = first ? 0 : 8 + view.getInt32(4, true);
  return block.subarray(start, block.byteLength - 8);
}

/** Serialises async work on the single chDB connection. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  /** Waits for the lock; call the returned function to release it. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => release = resolve);
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

/** Options of {@linkcode ChdbHttpHandler}. */
export interface ChdbHttpHandlerOptions {
  /** The user requests must authenticate as. */
  user: string;
  /** That user's password. */
  password: string;
  /** X-ClickHouse-Server-Display-Name. */
  displayName: string;
}

/** Answers ClickHouse HTTP requests from one chDB session. */
export class ChdbHttpHandler {
  readonly #session: Session;
  readonly #options: ChdbHttpHandlerOptions;
  readonly #mutex = new Mutex();
  readonly #version: string;
  readonly #timezone: string;
  readonly #scratchDir: string;

  constructor(session: Session, scratchDir: string, options: ChdbHttpHandlerOptions) {
    this.#session = session;
    this.#options = options;
    this.#scratchDir = scratchDir;
    [this.#version, this.#timezone] = session.query("SELECT version(), timezone()", "TSV")
      .trim().split("\t");
  }

  #error(code: number, text: string, queryId: string): Reply {
    const body = /\(version /.test(text) ? text : `${text} (version ${this.#version})`;
    return {
      status: httpStatusFor(code),
      headers: {
        "Content-Type": "text/plain; charset=UTF-8",
        "X-ClickHouse-Exception-Code": String(code),
        "X-ClickHouse-Query-Id": queryId,
        "X-ClickHouse-Server-Display-Name": this.#options.displayName,
        "X-ClickHouse-Timezone": this.#timezone,
      },
      body: body.endsWith("\n") ? body : body + "\n",
    };
  }

  #credentials(request: Request, url: URL): { user: string; password: string } {
    const authorization = request.headers.get("Authorization");
    if (authorization?.startsWith("Basic ")) {
      const decoded = atob(authorization.slice(6));
      const colon = decoded.indexOf(":");
      return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    return {
      user: request.headers.get("X-ClickHouse-User") ?? url.searchParams.get("user") ?? "default",
      password: request.headers.get("X-ClickHouse-Key") ?? url.searchParams.get("password") ?? "",
    };
  }

  /** Answers one request. */
  async handle(request: Request): Promise<Response> {
    const reply = await this.#reply(request);
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  }

  async #reply(request: Request): Promise<Reply> {
    const url = new URL(request.url);
    const queryId = url.searchParams.get("query_id") ?? crypto.randomUUID();
    if (url.pathname === "/ping") {
      return { status: 200, headers: { "Content-Type": "text/plain" }, body: "Ok.\n" };
    }
    if (url.pathname !== "/") {
      return {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=UTF-8" },
        body: `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`,
      };
    }
    if (request.method !== "GET" && request.method !== "POST") {
      return this.#error(
        1001,
        `Code: 1001. DB::Exception: Unsupported HTTP method ${request.method}`,
        queryId,
      );
    }
    const { user, password } = this.#credentials(request, url);
    if (user !== this.#options.user || password !== this.#options.password) {
      return this.#error(
        516,
        `Code: 516. DB::Exception: ${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
        queryId,
      );
    }
    const urlQuery = url.searchParams.get("query");
    const body = request.method === "POST"
      ? new Uint8Array(await request.arrayBuffer())
      : new Uint8Array(0);
    if (urlQuery === null && body.byteLength === 0) {
      return { status: 200, headers: { "Content-Type": "text/plain" }, body: "Ok.\n" };
    }
    const params: Record<string, string> = {};
    const settings: [string, string][] = [];
    for (const [name, value] of url.searchParams) {
      if (name.startsWith("param_")) params[name.slice(6)] = value;
      else if (!NOT_SETTINGS.has(name)) settings.push([name, value]);
    }
    for (const [name] of settings) {
      if (!SETTING_NAME.test(name)) {
        return this.#error(
          115,
          `Code: 115. DB::Exception: Unknown setting '${name}'. (UNKNOWN_SETTING)`,
          queryId,
        );
      }
    }
    const database = url.searchParams.get("database") ??
      request.headers.get("X-ClickHouse-Database");
    const defaultFormat = url.searchParams.get("default_format") ??
      request.headers.get("X-ClickHouse-Format") ?? "TabSeparated";
    const release = await this.#mutex.acquire();
    let released = false;
    const done = async () => {
      if (released) return;
      released = true;
      try {
        await this.#restore(settings.map(([name]) => name), database !== null);
      } finally {
        release();
      }
    };
    try {
      await this.#apply(settings, database);
      const reply = urlQuery !== null && body.byteLength > 0
        ? await this.#withData(urlQuery, body, params, defaultFormat, queryId)
        : await this.#run(
          urlQuery === null ? new TextDecoder().decode(body) : urlQuery,
          params,
          defaultFormat,
          queryId,
          done,
        );
      if (!(reply.body instanceof ReadableStream)) await done();
      return reply;
    } catch (error) {
      await done();
      const { code, text } = clickhouseText(error);
      return this.#error(code, text, queryId);
    }
  }

  /** Applies the request's settings and database to the session (under the lock). */
  async #apply(settings: [string, string][], database: string | null): Promise<void> {
    const connection = this.#session.connection;
    for (const [name, value] of settings) {
      await native.QueryAsyncConnection(connection, "SET " + name + " = {value:String}", "TSV", {
        value,
      });
    }
    if (database !== null) {
      await native.QueryAsyncConnection(connection, "USE {database:Identifier}", "TSV", {
        database,
      });
    }
  }

  /** Returns the session to its defaults after a request. */
  async #restore(settings: string[], usedDatabase: boolean): Promise<void> {
    const connection = this.#session.connection;
    for (const name of settings) {
      await native.QueryAsyncConnection(connection, "SET " + name + " = DEFAULT", "TSV", {})
        .catch(() => {/* a setting the engine refused was never applied */});
    }
    if (usedDatabase) await native.QueryAsyncConnection(connection, "USE default", "TSV", {});
  }

  #headers(format: string, queryId: string, summary: Record<string, string>) {
    return {
      "Content-Type": contentTypeFor(format),
      "X-ClickHouse-Query-Id": queryId,
      "X-ClickHouse-Format": format,
      "X-ClickHouse-Timezone": this.#timezone,
      "X-ClickHouse-Server-Display-Name": this.#options.displayName,
      "X-ClickHouse-Summary": JSON.stringify(summary),
    };
  }

  /** `INSERT ... FORMAT F` in the URL with the data as the body. */
  async #withData(
    urlQuery: string,
    body: Uint8Array,
    params: Record<string, string>,
    defaultFormat: string,
    queryId: string,
  ): Promise<Reply> {
    const insert = INSERT_WITH_FORMAT.exec(urlQuery);
    if (!insert) {
      const sql = urlQuery + "\n" + new TextDecoder().decode(body);
      return await this.#run(sql, params, defaultFormat, queryId, () => Promise.resolve());
    }
    const path = join(this.#scratchDir, `${queryId}.data`);
    await Deno.writeFile(path, body);
    try {
      // `INSERT ... SELECT ... FROM input(structure) FORMAT F` reads the body as `input()`.
      const sql = INPUT_FUNCTION.test(insert[1])
        ? insert[1].replace(
          INPUT_FUNCTION,
          "file({risktrain_http_data:String}, {risktrain_http_format:String}, ",
        )
        : insert[1] +
          " SELECT * FROM file({risktrain_http_data:String}, {risktrain_http_format:String})";
      const result = await native.QueryAsyncConnection(this.#session.connection, sql, "TSV", {
        ...params,
        risktrain_http_data: path,
        risktrain_http_format: insert[2],
      });
      return {
        status: 200,
        headers: this.#headers(defaultFormat, queryId, {
          read_rows: String(result.rowsRead),
          read_bytes: String(result.bytesRead),
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        }),
        body: null,
      };
    } finally {
      await Deno.remove(path);
    }
  }

  /** Runs a query, streaming its result; a statement chDB cannot stream runs at once. */
  async #run(
    sql: string,
    params: Record<string, string>,
    defaultFormat: string,
    queryId: string,
    done: () => Promise<void>,
  ): Promise<Reply> {
    if (INTO_OUTFILE.test(sql)) {
      // A server writes files only for clickhouse-client/local, never over HTTP.
      throw new Error(
        "Code: 358. DB::Exception: INTO OUTFILE is not allowed. (INTO_OUTFILE_NOT_ALLOWED)",
      );
    }
    const format = TRAILING_FORMAT.exec(sql)?.[1] ?? defaultFormat;
    const connection = this.#session.connection;
    let handle: unknown;
    try {
      handle = native.StreamQuery(connection, sql, defaultFormat, params);
    } catch (error) {
      if (!/Streaming query is not supported/.test(String(error))) throw error;
      const result = await native.QueryAsyncConnection(connection, sql, defaultFormat, params);
      return {
        status: 200,
        headers: this.#headers(format, queryId, {
          result_rows: String(result.rowsRead),
          result_bytes: String(result.bytes.byteLength),
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        }),
        body: result.bytes.byteLength > 0 ? result.bytes : null,
      };
    }
    let first: { done: boolean; bytes: Uint8Array<ArrayBuffer>; numRows: number };
    try {
      first = await native.StreamFetch(handle);
    } catch (error) {
      native.StreamCancel(handle);
      throw error;
    }
    const arrow = format === "ArrowStream";
    let blocks = 0;
    const body = (bytes: Uint8Array<ArrayBuffer>) =>
      arrow && bytes.byteLength > 0 ? arrowBlockBody(bytes, blocks++ === 0) : bytes;
    const end = () => arrow && blocks > 0 ? EOS : new Uint8Array(0);
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      native.StreamCancel(handle);
      await done();
    };
    const version = this.#version;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first.bytes.byteLength > 0) controller.enqueue(body(first.bytes));
        if (first.done) {
          controller.enqueue(end());
          controller.close();
          return finish();
        }
      },
      async pull(controller) {
        try {
          const next = await native.StreamFetch(handle);
          if (next.bytes.byteLength > 0) controller.enqueue(body(next.bytes));
          if (next.done) {
            controller.enqueue(end());
            controller.close();
            await finish();
          }
        } catch (error) {
          // Like ClickHouse: an error after the response started is appended to the body.
          const { text } = clickhouseText(error);
          controller.enqueue(new TextEncoder().encode(`\n${text} (version ${version})\n`));
          controller.close();
          await finish();
        }
      },
      cancel() {
        return finish();
      },
    });
    return {
      status: 200,
      headers: this.#headers(format, queryId, {}),
      body: stream,
    };
  }
}

function flag(args: string[], name: string, fallback?: string): string {
  const index = args.indexOf(`--${name}`);
  const value = index >= 0 ? args[index + 1] : fallback;
  if (value === undefined) throw new TypeError(`Missing --${name}`);
  return value;
}

if (import.meta.main) {
  const args = Deno.args;
  const port = Number(flag(args, "port", "0"));
  const dataDir = flag(args, "data-dir");
  const session = new Session(dataDir);
  const scratchDir = await Deno.makeTempDir({ prefix: "chdb-http-" });
  const handler = new ChdbHttpHandler(session, scratchDir, {
    user: flag(args, "user", "default"),
    password: flag(args, "password", ""),
    displayName: flag(args, "display-name", "chdb-http-harness"),
  });
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(port),
  }, (request) => handler.handle(request));
  const stop = async () => {
    await server.shutdown();
    session.close();
    await Deno.remove(scratchDir, { recursive: true });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
