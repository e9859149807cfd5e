/**
 * Log sinks of the command line: the library only logs, this configures where it goes.
 * Records go to stderr, in colour on a terminal, as JSON lines elsewhere (CI, files).
 *
 * @module
 */
import {
  configure,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getStreamSink,
  type LogLevel,
} from "npm:@logtape/logtape@2.4.2";

/**
 * Sends `risktrain` logs at `level` and above to stderr.
 *
 * @example
 * ```ts ignore
 * import { configureLogging } from "./logging.ts";
 * await configureLogging("info");
 * ```
 */
export async function configureLogging(level: LogLevel = "info"): Promise<void> {
  const terminal = Deno.stderr.isTerminal();
  await configure({
    reset: true,
    sinks: {
      stderr: getStreamSink(Deno.stderr.writable, {
        formatter: terminal
          ? getAnsiColorFormatter({ timestamp: "time" })
          : getJsonLinesFormatter(),
      }),
    },
    loggers: [
      { category: ["risktrain"], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
