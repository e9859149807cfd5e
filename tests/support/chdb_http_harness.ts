/**
 * Starts and stops {@link ./chdb_http_server.ts} in a subprocess for tests.
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";

const SERVER = new URL("./chdb_http_server.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url);

/** A running ClickHouse HTTP interface served from chDB. */
export interface ChdbHttpServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Its chDB data directory. */
  dataDir: string;
  /** Stops the subprocess and removes the data directory when the harness made it. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startChdbHttpServer}. */
export interface StartChdbHttpServerOptions {
  /** chDB data directory; a new temporary one when omitted (removed at stop). */
  dataDir?: string;
  /** The user to accept; `default` when omitted. */
  user?: string;
  /** Its password; empty when omitted. */
  password?: string;
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.split("\n")[0].trim();
}

/**
 * Starts the harness on a free loopback port and waits until it listens.
 *
 * @example
 * ```ts ignore
 * import { startChdbHttpServer } from "./chdb_http_harness.ts";
 * await using server = await startChdbHttpServer({ password: "secret" });
 * console.log(server.url);
 * ```
 */
export async function startChdbHttpServer(
  options: StartChdbHttpServerOptions = {},
): Promise<ChdbHttpServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "chdb-http-data-" });
  const args = [
    "run",
    "-A",
    "--quiet",
    "--config",
    fromFileUrl(CONFIG),
    fromFileUrl(SERVER),
    "--port",
    "0",
    "--data-dir",
    dataDir,
    "--user",
    options.user ?? "default",
    "--password",
    options.password ?? "",
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const line = await firstLine(child.stdout);
  const port = Number(line);
  if (!Number.isInteger(port) || port <= 0) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`The chDB HTTP harness did not start: ${line} ${await stderr}`);
  }
  child.stdout.cancel().catch(() => {});
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill("SIGTERM");
    await child.status;
    await stderr;
    if (ownDir) await Deno.remove(dataDir, { recursive: true });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
