/**
 * From argv to what the runner does: run a command, show help or the version, or report a
 * usage error the way a person can act on it: the command's own usage line, every problem
 * found (each unknown option with the nearest known name, every missing option at once),
 * in flag names. Pure: no I/O.
 *
 * @module
 */
import leven from "npm:leven@4.1.0";
import { formatMessage } from "npm:@optique/core@0.7.19/message";
import { parse, type Parser } from "npm:@optique/core@0.7.19/parser";
import type { Usage } from "npm:@optique/core@0.7.19/usage";
import { PROGRAM } from "./examples.ts";
import { findParser, GROUPS, helpPage, nameOf, usageLine } from "./help.ts";
import type { CliCommand } from "./parser.ts";

/** What the runner does with a command line. */
export type CommandLine =
  | { kind: "run"; command: CliCommand }
  /** Print `text` to stdout, exit 0. */
  | { kind: "help"; text: string }
  /** Print the versions, exit 0. */
  | { kind: "version" }
  /** Print `text` to stderr, exit 2. */
  | { kind: "usage"; text: string };

// deno-lint-ignore no-explicit-any
type AnyParser = Parser<any, any>;

const HELP_FLAGS = new Set(["--help", "-h"]);

/** Names within a few edits of `input`, nearest first. */
function nearest(input: string, names: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(input.length / 4));
  return [...names]
    .map((name) => ({ name, distance: leven(input, name) }))
    .filter((c) => c.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((c) => c.name);
}

function didYouMean(input: string, names: Iterable<string>): string {
  const [best] = nearest(input, names);
  return best === undefined ? "" : `. Did you mean ${best}?`;
}

/** Every option of a usage, and whether it takes a value. */
function optionsOf(usage: Usage, into = new Map<string, boolean>()): Map<string, boolean> {
  for (const term of usage) {
    if (term.type === "option") {
      for (const name of term.names) into.set(name, term.metavar !== undefined);
    } else if (term.type === "optional" || term.type === "multiple") optionsOf(term.terms, into);
    else if (term.type === "exclusive") { for (const terms of term.terms) optionsOf(terms, into); }
  }
  return into;
}

/** Options a command cannot do without, and its required positional arguments. */
function required(usage: Usage): { options: string[]; arguments: string[] } {
  const options: string[] = [];
  const args: string[] = [];
  for (const term of usage) {
    if (term.type === "option") options.push(term.names[0]);
    else if (term.type === "argument") args.push(term.metavar);
  }
  return { options, arguments: args };
}

function usageError(path: readonly string[], problems: readonly string[]): CommandLine {
  return { kind: "usage", text: usageErrorText(path, problems) };
}

/**
 * A usage error as printed: the command's usage line, one `Error:` line per problem (in
 * flag names), and where the full help is.
 *
 * @example
 * ```ts
 * import { usageErrorText } from "./usage.ts";
 * const text = usageErrorText(["migrate"], ["--network must not be empty"]);
 * console.assert(text.split("\n")[1] === "Error: --network must not be empty");
 * ```
 */
export function usageErrorText(path: readonly string[], problems: readonly string[]): string {
  const name = [PROGRAM, ...path].join(" ");
  return [
    `Usage: ${usageLine(path)}`,
    ...problems.map((p) => `Error: ${p}`),
    `Run \`${name} --help\` for every option and examples.`,
  ].join("\n");
}

/**
 * Every option name of the command `path` names.
 *
 * @example
 * ```ts
 * import { optionNames } from "./usage.ts";
 * console.assert(optionNames(["train"]).has("--trials"));
 * ```
 */
export function optionNames(path: readonly string[]): Set<string> {
  const parser = findParser(path);
  return new Set(parser ? optionsOf(parser.usage).keys() : []);
}

/**
 * The command names of a parsed command: `["train"]`, `["models", "list"]`.
 *
 * @example
 * ```ts
 * import { commandPath } from "./usage.ts";
 * console.assert(commandPath({ command: "models-list" } as never).join(" ") === "models list");
 * ```
 */
export function commandPath(command: CliCommand): string[] {
  return command.command.split("-");
}

/**
 * A usage error found after parsing (an option's value checked against the others or the
 * environment): the runner prints it with the command's usage line and exits 2.
 */
export class UsageError extends Error {
  /** @param message What is wrong, in flag names: `--start-date 2024-03-01 is after ...`. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function listCommands(group: string): string {
  const names = (GROUPS[group] ?? []).map(nameOf);
  return names.map((n) => `${[PROGRAM, group, n].filter(Boolean).join(" ")}`).join(", ");
}

/** Checks a command's options against each other, in flag names. */
function crossCheck(command: CliCommand): string[] {
  const problems: string[] = [];
  if ("startDate" in command && "endDate" in command) {
    const { startDate, endDate } = command as { startDate?: string; endDate?: string };
    if (startDate !== undefined && endDate !== undefined && startDate > endDate) {
      problems.push(`--start-date ${startDate} is after --end-date ${endDate}`);
    }
  }
  return problems;
}

/** The problems of `args` for the command `parser`, Optique's when none is found first. */
function problemsOf(parser: AnyParser, args: readonly string[], optiqueError: string): string[] {
  const known = optionsOf(parser.usage);
  const given = new Set<string>();
  const problems: string[] = [];
  const positional: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const name = arg.split("=")[0];
    if (known.has(name)) {
      given.add(name);
      if (known.get(name) && !arg.includes("=")) i++; // its value
    } else {
      problems.push(`Unknown option ${name}${didYouMean(name, known.keys())}`);
      // What follows an unknown option is taken as its value, not as an argument.
      if (!arg.includes("=") && i + 1 < args.length && !args[i + 1].startsWith("-")) i++;
    }
  }
  const needs = required(parser.usage);
  const missing = needs.options.filter((name) => !given.has(name));
  if (missing.length > 0) {
    problems.push(`Missing option${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  if (positional.length < needs.arguments.length) {
    problems.push(`Missing ${needs.arguments.slice(positional.length).join(" ")}`);
  }
  for (const extra of positional.slice(needs.arguments.length)) {
    problems.push(`Unexpected argument ${extra}`);
  }
  return problems.length > 0 ? problems : [optiqueError];
}

/**
 * Decides what to do with `args` (argv after the program): a parsed command to run, a
 * help page, the version, or a usage error.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./usage.ts";
 * const line = parseCommandLine(["train", "--trails", "2"]);
 * console.assert(line.kind === "usage" && line.text.includes("Did you mean --trials?"));
 * ```
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const options = args.slice(0, args.includes("--") ? args.indexOf("--") : undefined);
  if (options.includes("--version") || options.includes("-V")) return { kind: "version" };
  if (args.length === 0 || (args[0] === "help" && args.length === 1) || HELP_FLAGS.has(args[0])) {
    return { kind: "help", text: helpPage([])! };
  }
  // Walk down the command names: train, models list, ...
  const path: string[] = [];
  let group = "";
  let parser: AnyParser | undefined;
  while (GROUPS[group] !== undefined) {
    const name = args[path.length];
    const wanted = group === "" ? "command" : `${group} command`;
    if (name === undefined || HELP_FLAGS.has(name)) {
      const page = helpPage(path)!;
      if (name !== undefined) return { kind: "help", text: page };
      return { kind: "usage", text: `${page.trimEnd()}\n\nError: Missing the ${wanted}` };
    }
    parser = GROUPS[group].find((p) => nameOf(p) === name);
    if (parser === undefined) {
      const suggestion = didYouMean(name, GROUPS[group].map(nameOf));
      return {
        kind: "usage",
        text: `Error: Unknown ${wanted} ${name}${suggestion}\nCommands: ${listCommands(group)}`,
      };
    }
    path.push(name);
    group = name;
  }
  const rest = args.slice(path.length - 1);
  if (options.slice(path.length).some((arg) => HELP_FLAGS.has(arg))) {
    return { kind: "help", text: helpPage(path)! };
  }
  const result = parse(parser!, rest);
  if (!result.success) {
    return usageError(path, problemsOf(parser!, rest, formatMessage(result.error)));
  }
  const command = result.value as CliCommand;
  const problems = crossCheck(command);
  return problems.length > 0 ? usageError(path, problems) : { kind: "run", command };
}
