/**
 * Log sinks of the command line: the library only logs, this configures where it goes.
 * On a terminal, records are lines for people (figures rounded, strings bare, in colour
 * unless NO_COLOR) written above the progress bars; elsewhere (CI, files) JSON lines with
 * every property at full precision.
 *
 * @module
 */
import {
  configure,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getTextFormatter,
  type LogLevel,
  type LogRecord,
  type Sink,
  type TextFormatter,
} from "npm:@logtape/logtape@2.4.2";
import { humanValue } from "./human.ts";
import { type ProgressDisplay, progressDisplay } from "./progress.ts";

/** The placeholders of a message template, in order (`{{` is a literal brace). */
function placeholders(template: string): string[] {
  const keys: string[] = [];
  for (const match of template.matchAll(/\{\{|\}\}|\{([^{}]+)\}/g)) {
    if (match[1] !== undefined) keys.push(match[1].trim());
  }
  return keys;
}

/**
 * A formatter for people: each value of the message rendered by {@linkcode humanValue}
 * under its property name (seconds to 0.1 s, other figures to 4 significant digits).
 *
 * @example
 * ```ts
 * import { humanFormatter } from "./logging.ts";
 * const format = humanFormatter(false);
 * console.assert(typeof format === "function");
 * ```
 */
export function humanFormatter(colors: boolean): TextFormatter {
  const options = { timestamp: "time", value: "bare" } as const;
  const base = colors ? getAnsiColorFormatter(options) : getTextFormatter(options);
  return (record: LogRecord) => {
    const keys = typeof record.rawMessage === "string" ? placeholders(record.rawMessage) : [];
    const message = record.message.map((part, i) =>
      i % 2 === 0 ? part : humanValue(keys[(i - 1) / 2] ?? "", part)
    );
    return base({ ...record, message });
  };
}

/**
 * Sends `risktrain` logs at `level` and above to stderr: through `display` (above its
 * bars) for people when stderr is a terminal, as JSON lines otherwise.
 *
 * @example
 * ```ts ignore
 * import { configureLogging } from "./logging.ts";
 * import { progressDisplay } from "./progress.ts";
 * await configureLogging("info", progressDisplay());
 * ```
 */
export async function configureLogging(
  level: LogLevel = "info",
  display: ProgressDisplay = progressDisplay(),
): Promise<void> {
  // Both write synchronously (through the display), in order with the runner's own lines.
  const format = Deno.stderr.isTerminal() ? humanFormatter(!Deno.noColor) : getJsonLinesFormatter();
  const stderr: Sink = (record) => display.log(format(record));
  await configure({
    reset: true,
    sinks: { stderr },
    loggers: [
      { category: ["risktrain"], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
