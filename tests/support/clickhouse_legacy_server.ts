/**
 * Starts Debian's real `clickhouse-server` (18.16, package clickhouse-server) on a free
 * loopback port with a temporary configuration, as the current user. A missing binary is
 * an error naming the package, never a skip: CI installs it.
 *
 * @module
 */
import { join } from "node:path";

/** A running clickhouse-server. */
export interface LegacyClickHouse extends AsyncDisposable {
  /** `http://127.0.0.1:<http_port>`. */
  url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const CANDIDATES = ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"];

async function findBinary(): Promise<string> {
  for (const path of CANDIDATES) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `clickhouse-server is not installed (looked in ${CANDIDATES.join(", ")}): ` +
      "install Debian's package with `apt-get install -y clickhouse-server`",
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function config(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${join(dir, "server.log")}</log>
    <errorlog>${join(dir, "server.err.log")}</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${join(dir, "data")}/</path>
  <tmp_path>${join(dir, "tmp")}/</tmp_path>
  <user_files_path>${join(dir, "user_files")}/</user_files_path>
  <format_schema_path>${join(dir, "format_schemas")}/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

/**
 * Starts clickhouse-server and waits (up to 60 s) until `/ping` answers.
 *
 * @example
 * ```ts ignore
 * import { startLegacyClickHouse } from "./clickhouse_legacy_server.ts";
 * await using server = await startLegacyClickHouse();
 * console.log(server.url);
 * ```
 */
export async function startLegacyClickHouse(): Promise<LegacyClickHouse> {
  const binary = await findBinary();
  const dir = await Deno.makeTempDir({ prefix: "clickhouse-legacy-" });
  const httpPort = freePort();
  const tcpPort = freePort();
  await Deno.writeTextFile(join(dir, "config.xml"), config(dir, httpPort, tcpPort));
  await Deno.writeTextFile(join(dir, "users.xml"), USERS);
  const child = new Deno.Command(binary, {
    args: [`--config-file=${join(dir, "config.xml")}`],
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${httpPort}`;
  let exited = false;
  child.status.then(() => exited = true);
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/ping`);
      if ((await response.text()).startsWith("Ok.")) {
        return { url, stop, [Symbol.asyncDispose]: stop };
      }
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const log = await Deno.readTextFile(join(dir, "server.err.log")).catch(() => "");
  await stop();
  throw new Error(`clickhouse-server did not start on ${url}: ${await stderr} ${log}`);
}
