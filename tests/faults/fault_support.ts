/**
 * Shared by the fault-injection tests: a small synthetic network generated once per test
 * file, and cli.ts run as a child process the way the tasks run it (the `train`
 * permission set, with reads and writes widened to the test's temporary directory), so
 * that a test can signal or kill it and read what it printed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EmbeddedClickHouse } from "../../src/clickhouse/embedded.ts";
import { inspectModels, type RegistryInspection } from "../../src/storage/registry.ts";

/** The repository root (cli.ts and deno.json). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** The generated network: small, but with a signal every model type learns. */
export const NETWORK = {
  network: "demo",
  days: 16,
  alertsPerDay: 400,
  startDate: "2024-01-01",
  endDate: "2024-01-16",
} as const;

/** A child cli.ts: its process, and helpers to wait for a line and for its end. */
export interface CliChild {
  /** The process (for kill). */
  process: Deno.ChildProcess;
  /** Resolves with the time (performance.now()) when stderr first matches `pattern`. */
  waitForStderr(pattern: RegExp): Promise<number>;
  /** Resolves when the process has ended, with its exit code and output. */
  done: Promise<CliResult>;
}

/** How a cli.ts run ended. */
export interface CliResult {
  /** Exit code (for a signal, 128 + its number). */
  code: number;
  /** The signal that ended it, if one did. */
  signal: Deno.Signal | null;
  /** Everything on stdout. */
  stdout: string;
  /** Everything on stderr. */
  stderr: string;
  /** performance.now() when the process ended. */
  endedAt: number;
}

/** Options of {@linkcode spawnCli}. */
export interface SpawnOptions {
  /** The temporary directory the run may read and write (besides `.` for reading). */
  dir: string;
  /** Further permission flags (e.g. `--allow-net=127.0.0.1:4321`). */
  flags?: string[];
  /** Permission set (default `train`). */
  permissionSet?: string;
  /** Replaces the default read and write flags (the test names them itself). */
  permissionFlags?: string[];
}

/** Starts `cli.ts args` under the permission set, with a clean environment. */
export function spawnCli(args: string[], options: SpawnOptions): CliChild {
  const permissions = options.permissionFlags ??
    [`--allow-read=.,${options.dir}`, `--allow-write=${options.dir}`];
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `-P=${options.permissionSet ?? "train"}`,
      ...permissions,
      ...(options.flags ?? []),
      "cli.ts",
      ...args,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: Deno.env.get("HOME") ?? "/", PATH: Deno.env.get("PATH") ?? "" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: (at: number) => void }[] = [];
  const check = () => {
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(performance.now());
      }
    }
  };
  const stderrDone = (async () => {
    for await (const chunk of process.stderr.pipeThrough(new TextDecoderStream())) {
      stderr += chunk;
      check();
    }
  })();
  const stdoutDone = new Response(process.stdout).text();
  const done = (async () => {
    const status = await process.status;
    const endedAt = performance.now();
    const stdout = await stdoutDone;
    await stderrDone;
    return { code: status.code, signal: status.signal, stdout, stderr, endedAt };
  })();
  return {
    process,
    done,
    waitForStderr(pattern) {
      if (pattern.test(stderr)) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve });
        done.then((result) => {
          if (watchers.some((w) => w.pattern === pattern)) {
            reject(new Error(`Ended (${result.code}) before ${pattern}: ${result.stderr}`));
          }
        });
      });
    },
  };
}

/** Runs cli.ts to its end. */
export async function runCli(args: string[], options: SpawnOptions): Promise<CliResult> {
  return await spawnCli(args, options).done;
}

/**
 * The flags of a small training of `modelType` on {@linkcode NETWORK} (`--trials 0
 * --folds 2` unless `extra` gives them). `--allow-weak`: these tests are about faults, not
 * about what so small a network lets a model learn.
 */
export function trainArgs(
  modelType: string,
  outputDir: string,
  engine: string[],
  extra: string[] = [],
): string[] {
  const small: string[] = [];
  for (const [flag, value] of [["--trials", "0"], ["--folds", "2"]]) {
    if (!extra.includes(flag)) small.push(flag, value);
  }
  if (!extra.includes("--allow-weak")) small.push("--allow-weak");
  return [
    "train",
    "--network",
    NETWORK.network,
    "--start-date",
    NETWORK.startDate,
    "--end-date",
    NETWORK.endDate,
    "--model-type",
    modelType,
    ...small,
    "--output-dir",
    outputDir,
    ...engine,
    ...extra,
  ];
}

/** A temporary directory holding an embedded data directory with {@linkcode NETWORK}. */
export interface EmbeddedNetwork extends AsyncDisposable {
  /** The temporary directory (runs may read and write in it). */
  dir: string;
  /** The chDB data directory inside it. */
  dataDir: string;
  /** The flags that select it: `--data-dir <dataDir>`. */
  engine: string[];
}

/** The `generate` flags that write {@linkcode NETWORK} into the ClickHouse `engine` names. */
export function generateArgs(engine: string[]): string[] {
  return [
    "generate",
    "--network",
    NETWORK.network,
    "--days",
    String(NETWORK.days),
    "--alerts-per-day",
    String(NETWORK.alertsPerDay),
    "--start-date",
    NETWORK.startDate,
    ...engine,
  ];
}

/** Generates {@linkcode NETWORK} into a new embedded data directory (through cli.ts). */
export async function embeddedNetwork(): Promise<EmbeddedNetwork> {
  const dir = await Deno.makeTempDir({ prefix: "risktrain-faults-" });
  const dataDir = join(dir, "chdb");
  const engine = ["--data-dir", dataDir];
  const generated = await runCli(generateArgs(engine), { dir });
  if (generated.code !== 0) throw new Error(`generate failed: ${generated.stderr}`);
  return {
    dir,
    dataDir,
    engine,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * The `model_path`s in `risk_scoring_demo.trained_models` (of models in `outputDir` when
 * given), read through the embedded engine.
 */
export async function registeredPaths(dataDir: string, outputDir?: string): Promise<string[]> {
  await using ch = await EmbeddedClickHouse.open({ dataDir, create: false });
  const table = await ch.query(
    "SELECT model_path FROM {db:Identifier}.trained_models ORDER BY model_path",
    { params: { db: `risk_scoring_${NETWORK.network}` } },
  );
  const paths = [...table.getChild("model_path")!].map(String);
  if (outputDir === undefined) return paths;
  const real = await Deno.realPath(outputDir);
  return paths.filter((path) => path.startsWith(`${real}/`));
}

/** The bound: exit within a second of the signal's delivery. */
export const EXIT_WITHIN_MS = 1000;

/**
 * Sends `signal` and checks the run ends with exit 130 and `error: Cancelled` within
 * {@linkcode EXIT_WITHIN_MS}, measured from the signal's delivery.
 */
export async function interrupt(child: CliChild, signal: Deno.Signal = "SIGINT"): Promise<void> {
  const sent = performance.now();
  child.process.kill(signal);
  const result = await child.done;
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /^error: Cancelled$/m);
  const took = result.endedAt - sent;
  assert.ok(took < EXIT_WITHIN_MS, `exit ${Math.round(took)} ms after ${signal}`);
}

/**
 * Checks an output directory after a fault: every model there (a `.json`, written last) is
 * intact; returns them.
 */
export async function assertNoPartialArtifact(outputDir: string): Promise<RegistryInspection> {
  try {
    await Deno.stat(outputDir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { intact: [], broken: [] };
    throw error;
  }
  const inspection = await inspectModels(outputDir);
  if (inspection.broken.length > 0) {
    throw new Error(
      `Broken models after a fault: ${inspection.broken.map((b) => b.reason).join("; ")}`,
    );
  }
  return inspection;
}
