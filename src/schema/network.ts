/**
 * Network and database names: a network is a lowercase identifier, and its database
 * defaults to `risk_scoring_<network>`.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";

/**
 * A network identifier: lowercase letters, digits and underscores, starting with a letter
 * (`ethereum`, `torus`, `bittensor`).
 *
 * @example
 * ```ts
 * import { networkSchema } from "./network.ts";
 * console.assert(networkSchema.safeParse("torus").success);
 * console.assert(!networkSchema.safeParse("torus; DROP TABLE x").success);
 * ```
 */
export const networkSchema: z.ZodString = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, {
    message: "Expected a lowercase identifier such as torus (a-z, 0-9, _; at most 64 characters)",
  });

/**
 * A ClickHouse database name: letters, digits and underscores, not starting with a digit.
 *
 * @example
 * ```ts
 * import { databaseSchema } from "./network.ts";
 * console.assert(databaseSchema.safeParse("risk_scoring_torus").success);
 * ```
 */
export const databaseSchema: z.ZodString = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,205}$/, {
    message: "Expected a database name of letters, digits and underscores",
  });

/**
 * The database of a network: the explicit name when given, else `risk_scoring_<network>`.
 *
 * @example
 * ```ts
 * import { databaseFor } from "./network.ts";
 * console.assert(databaseFor("torus") === "risk_scoring_torus");
 * console.assert(databaseFor("torus", "analytics") === "analytics");
 * ```
 */
export function databaseFor(network: string, database?: string): string {
  return database ?? `risk_scoring_${network}`;
}
