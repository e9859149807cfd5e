/**
 * The risktrain command line: the only place that reads argv, configures log sinks, talks
 * to the terminal and sets exit codes (0 done or skipped, 1 failure, 2 usage, 130 cancelled).
 *
 * ```sh
 * deno task train --network torus --start-date 2024-01-01 --end-date 2024-03-31 --model-type alert_scorer
 * ```
 *
 * @module
 */
import { run } from "npm:@optique/core@0.7.19/facade";
import { message } from "npm:@optique/core@0.7.19/message";
import { runCommand } from "./src/cli/commands.ts";
import { ENV_VARIABLES } from "./src/cli/connection.ts";
import { parseDotenv } from "./src/cli/dotenv.ts";
import { configureLogging } from "./src/cli/logging.ts";
import { cliParser } from "./src/cli/parser.ts";
import { progressLine } from "./src/cli/progress.ts";
import { abortOnSignals } from "./src/cli/signals.ts";
import { RiskTrainError } from "./src/errors.ts";

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

async function main(args: string[]): Promise<number> {
  const command = run(cliParser, "risktrain", args, {
    help: { mode: "both", onShow: () => null },
    onError: () => EXIT_USAGE,
    aboveError: "usage",
    brief: message`Train LightGBM risk-scoring models from ClickHouse data`,
    footer: message`Examples:
  risktrain demo
  risktrain train --network torus --start-date 2024-01-01 --end-date 2024-03-31 --model-type alert_scorer
  risktrain models list`,
  });
  if (command === null) return 0;
  if (typeof command === "number") return command;

  using abort = abortOnSignals();
  const progress = progressLine();
  let debug = false;
  try {
    const env = await environment();
    debug = env.RISKTRAIN_LOG_LEVEL === "debug";
    await configureLogging(debug ? "debug" : "info");
    await runCommand(command, {
      env,
      signal: abort.signal,
      print: (line) => console.log(line),
      progress,
    });
    return 0;
  } catch (error) {
    progress.done();
    if (error instanceof RiskTrainError) {
      console.error(`error: ${error.message}`);
      if (error.code === "CONFIG_INVALID") return EXIT_USAGE;
      return error.code === "CANCELLED" ? EXIT_CANCELLED : 1;
    }
    if (abort.signal.aborted) {
      console.error("error: Cancelled");
      return EXIT_CANCELLED;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (debug) console.error(error);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
