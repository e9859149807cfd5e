/**
 * An options error of the library (a zod issue on `trials`, `startDate`, ...) said in the
 * command's flag names (`--trials`, `--start-date`), so the runner can print it as a usage
 * error.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";

/**
 * The flag of option `key`, as the parsers name it.
 *
 * @example
 * ```ts
 * import { flagOf } from "./flag_errors.ts";
 * console.assert(flagOf("startDate") === "--start-date");
 * ```
 */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The problems of a `CONFIG_INVALID` error (or a bare zod error) whose every issue is about
 * one of `flags`, each as `--flag: message`; null for any other error.
 *
 * @example
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * import { RiskTrainError } from "../errors.ts";
 * import { flagProblems } from "./flag_errors.ts";
 * const cause = z.object({ trials: z.int().max(1000) }).safeParse({ trials: 5000 }).error;
 * const error = new RiskTrainError("CONFIG_INVALID", "Invalid options", { cause });
 * console.assert(flagProblems(error, new Set(["--trials"]))?.[0].startsWith("--trials: "));
 * ```
 */
export function flagProblems(error: unknown, flags: ReadonlySet<string>): string[] | null {
  const zodError = error instanceof RiskTrainError && error.code === "CONFIG_INVALID"
    ? error.cause
    : error;
  if (!(zodError instanceof z.ZodError)) return null;
  const problems: string[] = [];
  for (const issue of zodError.issues) {
    const key = issue.path[0];
    const flag = typeof key === "string" ? flagOf(key) : "";
    if (!flags.has(flag)) return null;
    problems.push(`${flag}: ${issue.message}`);
  }
  return problems.length > 0 ? problems : null;
}
