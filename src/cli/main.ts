/**
 * The runner: argv in, exit code out (0 done or skipped, 1 failure, 2 usage, 130
 * cancelled). The only place, with cli.ts, that prints to the terminal.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import { runCommand } from "./commands.ts";
import { ENV_VARIABLES } from "./connection.ts";
import { parseDotenv } from "./dotenv.ts";
import { configureLogging } from "./logging.ts";
import { progressDisplay } from "./progress.ts";
import { abortOnSignals } from "./signals.ts";
import { flagProblems } from "./flag_errors.ts";
import { commandPath, optionNames, parseCommandLine, UsageError, usageErrorText } from "./usage.ts";
import { versionLines } from "./versions.ts";

const EXIT_USAGE = 2;
const EXIT_CANCELLED = 130;

/** Reads .env (when present and readable) under the process environment. */
async function environment(): Promise<Record<string, string | undefined>> {
  let fromFile: Record<string, string> = {};
  if ((await Deno.permissions.query({ name: "read", path: ".env" })).state === "granted") {
    try {
      fromFile = parseDotenv(await Deno.readTextFile(".env"));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARIABLES) {
    const granted = (await Deno.permissions.query({ name: "env", variable: name })).state ===
      "granted";
    env[name] = (granted ? Deno.env.get(name) : undefined) ?? fromFile[name];
  }
  return env;
}

/**
 * Runs the command line `args` and returns its exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["models", "list"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const line = parseCommandLine(args);
  if (line.kind === "help") {
    console.log(line.text.trimEnd());
    return 0;
  }
  if (line.kind === "version") {
    console.log((await versionLines()).join("\n"));
    return 0;
  }
  if (line.kind === "usage") {
    console.error(line.text.trimEnd());
    return EXIT_USAGE;
  }

  using abort = abortOnSignals();
  const progress = progressDisplay();
  let debug = false;
  try {
    const env = await environment();
    debug = env.RISKTRAIN_LOG_LEVEL === "debug";
    await configureLogging(debug ? "debug" : "info", progress);
    await runCommand(line.command, {
      env,
      signal: abort.signal,
      print: (text) => console.log(text),
      progress,
    });
    return 0;
  } catch (error) {
    progress.done();
    const path = commandPath(line.command);
    const problems = error instanceof UsageError
      ? [error.message]
      : flagProblems(error, optionNames(path));
    if (problems !== null) {
      console.error(usageErrorText(path, problems));
      return EXIT_USAGE;
    }
    if (error instanceof RiskTrainError) {
      console.error(`error: ${error.message}`);
      return error.code === "CANCELLED" ? EXIT_CANCELLED : 1;
    }
    if (abort.signal.aborted) {
      console.error("error: Cancelled");
      return EXIT_CANCELLED;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (debug) console.error(error);
    return 1;
  } finally {
    progress.done();
  }
}
