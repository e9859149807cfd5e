/**
 * Help pages and usage lines: Optique's documentation page of a command, written for
 * `deno task`, with a short usage line and the command's examples one per line (Optique
 * would join a message's lines into one).
 *
 * @module
 */
import { formatDocPage } from "npm:@optique/core@0.7.19/doc";
import { formatMessage, type Message } from "npm:@optique/core@0.7.19/message";
import { getDocPage, type Parser } from "npm:@optique/core@0.7.19/parser";
import type { UsageTerm } from "npm:@optique/core@0.7.19/usage";
import { asTyped, PROGRAM } from "./examples.ts";
import { cliParser, COMMANDS, MODELS_COMMANDS } from "./parser.ts";

// deno-lint-ignore no-explicit-any
type AnyParser = Parser<any, any>;

/** The commands a name can select: the top level (""), and each group's subcommands. */
export const GROUPS: Readonly<Record<string, readonly AnyParser[]>> = {
  "": COMMANDS,
  models: MODELS_COMMANDS,
};

/** Width help pages are wrapped to. */
const HELP_WIDTH = 100;

/** The name of a `command(...)` parser (the first term of its usage). */
export function nameOf(parser: AnyParser): string {
  const first = parser.usage[0];
  return first?.type === "command" ? first.name : "";
}

/** The parser of the command `path` names (`["models", "list"]`), if any. */
export function findParser(path: readonly string[]): AnyParser | undefined {
  let group = GROUPS[""];
  let parser: AnyParser | undefined;
  for (const name of path) {
    parser = group.find((p) => nameOf(p) === name);
    if (parser === undefined) return undefined;
    group = GROUPS[name] ?? [];
  }
  return parser;
}

/** A term as the usage line writes it; every optional term is `[OPTIONS]`. */
function termText(term: UsageTerm): string {
  if (term.type === "command") return term.name;
  if (term.type === "argument") return term.metavar;
  if (term.type === "option") {
    return term.metavar ? `${term.names[0]} ${term.metavar}` : term.names[0];
  }
  if (term.type === "exclusive") return "COMMAND";
  return "[OPTIONS]";
}

/**
 * The short usage line of a command: its required options and arguments, `[OPTIONS]` for
 * the rest (all of them are in its `--help`).
 *
 * @example
 * ```ts
 * import { usageLine } from "./help.ts";
 * console.assert(usageLine(["migrate"]) === "deno task migrate --network NETWORK [OPTIONS]");
 * ```
 */
export function usageLine(path: readonly string[]): string {
  const parser = findParser(path);
  if (parser === undefined) return `${PROGRAM} COMMAND [OPTIONS]`;
  const words = [PROGRAM, ...path.slice(0, -1)];
  const rest: string[] = [];
  for (const term of parser.usage) {
    const text = termText(term);
    if (text === "[OPTIONS]") {
      if (!rest.includes(text)) rest.unshift(text);
    } else if (term.type === "argument") rest.push(text);
    else words.push(text);
  }
  return [...words, ...rest].join(" ");
}

/** Renders a footer made by `examples()`: one example a line, indented. */
function formatFooter(footer: Message | undefined): string {
  if (!footer || footer.length === 0) return "";
  const lines = footer.map((term) =>
    term.type === "commandLine" ? `  ${asTyped(term.commandLine)}` : formatMessage([term])
  );
  return `\n${lines.join("\n")}\n`;
}

/**
 * The help page of the command that `path` names (`[]` for the whole command line,
 * `["models"]`, `["models", "list"]`), or undefined when it names none.
 *
 * @example
 * ```ts
 * import { helpPage } from "./help.ts";
 * console.assert(helpPage(["train"])?.startsWith("Usage: deno task train --network"));
 * ```
 */
export function helpPage(path: readonly string[]): string | undefined {
  const page = getDocPage(cliParser, path);
  if (page === undefined || (path.length > 0 && findParser(path) === undefined)) return undefined;
  const body = formatDocPage(PROGRAM, { ...page, usage: undefined, footer: undefined }, {
    maxWidth: HELP_WIDTH,
    termWidth: 32,
  });
  const top = path.length === 0
    ? "risktrain: train LightGBM risk-scoring models from ClickHouse data\n\n"
    : "";
  const more = path.length === 0
    ? `\nRun \`${PROGRAM} COMMAND --help\` for a command's options and examples, \`${
      PROGRAM === "deno task" ? "deno task version" : `${PROGRAM} --version`
    }\` for the versions.\n`
    : "";
  const text = body.replace(/^\n+/, "").replace(/ +\n/g, "\n").trimEnd();
  return `${top}Usage: ${usageLine(path)}\n\n${text}\n${formatFooter(page.footer)}${more}`;
}
