/**
 * The examples of a command's help, written as a person types them.
 *
 * @module
 */
import { commandLine, type Message, text } from "npm:@optique/core@0.7.19/message";

/** Whether this runs as a binary made by `deno compile` (named otherwise than `deno`). */
const COMPILED = !/(^|[\\/])deno(\.exe)?$/.test(Deno.execPath());

/** What a person types before a command's name: `deno task`, or the compiled binary. */
export const PROGRAM = COMPILED ? "risktrain" : "deno task";

/** An example as a person types it here: `deno task ...`, or `risktrain ...` compiled. */
export function asTyped(line: string): string {
  return line.startsWith("deno task ") ? PROGRAM + line.slice("deno task".length) : line;
}

/**
 * A command's help footer: its examples, each a whole command line as a person types it
 * (`deno task <command> ...`); the help page shows one a line.
 *
 * @example
 * ```ts
 * import { examples } from "./examples.ts";
 * const footer = examples("deno task demo", "deno task demo --trials 2");
 * console.assert(footer.length === 3);
 * ```
 */
export function examples(...lines: string[]): Message {
  return [text("Examples:"), ...lines.map((line) => commandLine(line))];
}
