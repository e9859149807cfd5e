/**
 * zod schemas for values shared by several stages and by the command line.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "./errors.ts";

/** The most cross-validation folds a training accepts. */
export const MAX_FOLDS = 50;

/** The most hyperparameter search trials a training accepts. */
export const MAX_TRIALS = 1000;

/** A model type: `alert_scorer`, `alert_ranker` or `cluster_scorer`. */
export const ModelTypeSchema: z.ZodEnum<
  { alert_scorer: "alert_scorer"; alert_ranker: "alert_ranker"; cluster_scorer: "cluster_scorer" }
> = z.enum(["alert_scorer", "alert_ranker", "cluster_scorer"]);

/**
 * A network identifier: lowercase letters, digits and underscores, starting with a letter
 * (`ethereum`, `torus`, `bittensor`).
 *
 * @example
 * ```ts
 * import { NetworkSchema } from "./options.ts";
 * console.assert(NetworkSchema.safeParse("torus").success);
 * console.assert(!NetworkSchema.safeParse("torus; DROP TABLE x").success);
 * ```
 */
export const NetworkSchema: z.ZodString = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, {
  message: "Expected a lowercase identifier such as torus (a-z, 0-9, _; at most 64 characters)",
});

/**
 * A ClickHouse database name: letters, digits and underscores, not starting with a digit.
 *
 * @example
 * ```ts
 * import { DatabaseSchema } from "./options.ts";
 * console.assert(DatabaseSchema.safeParse("risk_scoring_torus").success);
 * ```
 */
export const DatabaseSchema: z.ZodString = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,205}$/, {
  message: "Expected a database name of letters, digits and underscores",
});

/** A calendar date written `YYYY-MM-DD` that exists (2024-02-30 is refused). */
export const IsoDateSchema: z.ZodType<string, string> = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Expected a date YYYY-MM-DD")
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
  }, "Expected a calendar date that exists");

/**
 * The database of a network: the explicit name when given, else `risk_scoring_<network>`.
 *
 * @example
 * ```ts
 * import { databaseFor } from "./options.ts";
 * console.assert(databaseFor("torus") === "risk_scoring_torus");
 * ```
 */
export function databaseFor(network: string, database?: string): string {
  return database ?? `risk_scoring_${network}`;
}

/**
 * Validates `value` with `schema`; invalid options throw one CONFIG_INVALID error that
 * names every problem on one line, e.g. `Invalid migrate options: ✖ Expected ... → at network`.
 *
 * @example
 * ```ts
 * import { NetworkSchema, parseOptions } from "./options.ts";
 * console.assert(parseOptions(NetworkSchema, "torus", "network") === "torus");
 * ```
 */
export function parseOptions<Output, Input>(
  schema: z.ZodType<Output, Input>,
  value: unknown,
  what: string,
): Output {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new RiskTrainError(
    "CONFIG_INVALID",
    `Invalid ${what}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`,
    { cause: parsed.error },
  );
}
