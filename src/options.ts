/**
 * zod schemas for values shared by several stages and by the command line.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";

/** A model type: `alert_scorer`, `alert_ranker` or `cluster_scorer`. */
export const ModelTypeSchema = z.enum(["alert_scorer", "alert_ranker", "cluster_scorer"]);

/** A lowercase network identifier such as `torus` or `bittensor`. */
export const NetworkSchema = z.string().regex(
  /^[a-z][a-z0-9_]{0,62}$/,
  "Expected a lowercase network identifier (letters, digits, underscore), e.g. torus",
);

/** A calendar date written `YYYY-MM-DD` that exists (2024-02-30 is refused). */
export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Expected a date YYYY-MM-DD")
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
