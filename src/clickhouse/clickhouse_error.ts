/**
 * Maps errors raised by ClickHouse (through chDB or over HTTP) to {@linkcode RiskTrainError}
 * with ClickHouse's own numeric code.
 *
 * @module
 */
import { type ErrorCode, RiskTrainError } from "../errors.ts";

// `Code: 81. DB::Exception: ...`; servers before 19.x wrote
// `Code: 193, e.displayText() = DB::Exception: ..., e.what() = DB::Exception`.
const CODE = /Code:\s*(\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::Exception:\s*)?/g;
const NOISE = /\s*\(version [0-9.]+[^)]*\)|,\s*e\.what\(\) = [\w:]+/g;

// ANSI escape sequences (CSI and OSC), then any other control character: intended here.
// deno-lint-ignore no-control-regex
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])?/g;
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f]+/g;

/**
 * Text from a server made safe for a terminal: escape sequences removed, other control
 * characters (newlines included) replaced by one space.
 *
 * @example
 * ```ts
 * import { sanitizeText } from "./clickhouse_error.ts";
 * console.assert(sanitizeText("\x1b[31mred\x1b[0m\nline") === "red line");
 * ```
 */
export function sanitizeText(text: string): string {
  return text.replace(ESCAPES, "").replace(CONTROLS, " ");
}

/** ClickHouse's error codes for a failed login (516 AUTHENTICATION_FAILED, 192, 193). */
export const AUTH_ERROR_CODES: ReadonlySet<number> = new Set([516, 192, 193]);

/**
 * Reads ClickHouse's `Code: N. DB::Exception: text` from an error message.
 *
 * @example
 * ```ts
 * import { parseClickHouseError } from "./clickhouse_error.ts";
 * const parsed = parseClickHouseError("Code: 81. DB::Exception: Database x does not exist");
 * console.assert(parsed?.code === 81);
 * ```
 */
export function parseClickHouseError(
  message: string,
): { code: number; text: string } | undefined {
  const matches = [...message.matchAll(CODE)];
  if (matches.length === 0) return undefined;
  const last = matches[matches.length - 1];
  const text = message.slice(last.index + last[0].length).replace(NOISE, "")
    .split("\n").map((line) => line.trim()).filter(Boolean).join(" ");
  return { code: Number(last[1]), text };
}

/** @clickhouse/client's ClickHouseError: `code` "81", `type` "UNKNOWN_DATABASE". */
function clientError(error: unknown): { code: number; text: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, type } = error as { code?: unknown; type?: unknown };
  if (typeof code !== "string" || !/^\d+$/.test(code) || typeof type !== "string") {
    return undefined;
  }
  const text = error.message.split("\n").map((line) => sanitizeText(line).trim()).filter(Boolean)
    .join(" ");
  return { code: Number(code), text: `${text} (${sanitizeText(type)})` };
}

function errorCodeFor(clickhouseCode: number): ErrorCode {
  if (clickhouseCode === 81) return "DATABASE_NOT_FOUND";
  if (clickhouseCode === 60) return "TABLE_NOT_FOUND";
  if (AUTH_ERROR_CODES.has(clickhouseCode)) return "CLICKHOUSE_AUTH";
  return "CLICKHOUSE_QUERY";
}

/**
 * Wraps an error from ClickHouse: `UNKNOWN_DATABASE` (81) becomes `DATABASE_NOT_FOUND`,
 * `UNKNOWN_TABLE` (60) `TABLE_NOT_FOUND`, a failed login `CLICKHOUSE_AUTH`, anything else
 * `CLICKHOUSE_QUERY`; `clickhouseCode` keeps ClickHouse's number. A RiskTrainError passes
 * through unchanged.
 *
 * @example
 * ```ts
 * import { toRiskTrainError } from "./clickhouse_error.ts";
 * const error = toRiskTrainError(new Error("Code: 60. DB::Exception: Unknown table t"));
 * console.assert(error.code === "TABLE_NOT_FOUND" && error.clickhouseCode === 60);
 * ```
 */
export function toRiskTrainError(error: unknown): RiskTrainError {
  if (error instanceof RiskTrainError) return error;
  const message = sanitizeText(error instanceof Error ? error.message : String(error));
  const parsed = parseClickHouseError(message) ?? clientError(error);
  if (!parsed) {
    return new RiskTrainError("CLICKHOUSE_QUERY", `ClickHouse failed: ${message}`, {
      cause: error,
    });
  }
  return new RiskTrainError(
    errorCodeFor(parsed.code),
    `ClickHouse error ${parsed.code}: ${parsed.text}`,
    { cause: error, clickhouseCode: parsed.code },
  );
}
