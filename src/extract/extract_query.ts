/**
 * The zod schema of {@linkcode ExtractQuery}: the single source of truth the library and
 * the command line validate a query with.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import type { ExtractQuery } from "../types.ts";

/** The default look-back of the alert-history features, in days. */
export const DEFAULT_HISTORY_DAYS = 30;

const NETWORK = /^[a-z][a-z0-9_]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(value + "T00:00:00Z");
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const isoDate = z.string().refine(isCalendarDate, {
  message: "Expected a calendar date as YYYY-MM-DD",
});

/**
 * Validates an {@linkcode ExtractQuery}: a lowercase network identifier, an optional
 * database name, `startDate <= endDate` as `YYYY-MM-DD`, an optional window (1..65535), an
 * optional positive `limit`, a `seed` (0..2^32-1) for the sample `limit` draws and an
 * optional `historyDays` (1..3650, default {@linkcode DEFAULT_HISTORY_DAYS}).
 *
 * @example
 * ```ts
 * import { ExtractQuerySchema } from "./extract_query.ts";
 * const query = ExtractQuerySchema.parse({
 *   network: "torus",
 *   startDate: "2024-01-01",
 *   endDate: "2024-03-31",
 *   windowDays: 7,
 * });
 * console.assert(query.windowDays === 7);
 * ```
 */
export const ExtractQuerySchema: z.ZodType<ExtractQuery> = z.object({
  network: z.string().regex(NETWORK, {
    message: "Expected a lowercase network identifier such as torus",
  }),
  database: z.string().min(1).optional(),
  startDate: isoDate,
  endDate: isoDate,
  windowDays: z.number().int().min(1).max(65535).optional(),
  limit: z.number().int().positive().optional(),
  seed: z.number().int().min(0).max(4294967295).optional(),
  historyDays: z.number().int().min(1).max(3650).optional(),
}).refine((query) => query.startDate <= query.endDate, {
  message: "startDate must not be after endDate",
  path: ["endDate"],
});

/**
 * Parses a query with {@linkcode ExtractQuerySchema}; an invalid one throws a
 * RiskTrainError `CONFIG_INVALID` whose message lists every problem on one line.
 *
 * @example
 * ```ts
 * import { parseExtractQuery } from "./extract_query.ts";
 * const query = parseExtractQuery({ network: "demo", startDate: "2024-01-01", endDate: "2024-01-02" });
 * console.assert(query.network === "demo");
 * ```
 */
export function parseExtractQuery(query: unknown): ExtractQuery {
  const result = ExtractQuerySchema.safeParse(query);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    (issue.path.length > 0 ? issue.path.join(".") + ": " : "") + issue.message
  );
  throw new RiskTrainError("CONFIG_INVALID", "Invalid extract query: " + problems.join("; "), {
    cause: result.error,
  });
}
