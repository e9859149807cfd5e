/**
 * The four ordered levels the contract uses for alert severity, cluster severity_max and
 * label risk_level: low < medium < high < critical.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";

/** The levels in order; a level's code is its index. */
export const LEVELS: readonly string[] = ["low", "medium", "high", "critical"];

const CODES = new Map(LEVELS.map((level, code) => [level, code]));

/**
 * Codes 0..3 of level strings; any other value is a `DATA_INVALID` error naming `source`.
 *
 * @example
 * ```ts
 * import { levelCodes } from "./levels.ts";
 * console.assert(levelCodes(["low", "critical"], "raw_alerts.severity").join() === "0,3");
 * ```
 */
export function levelCodes(values: readonly string[], source: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const code = CODES.get(values[i]);
    if (code === undefined) {
      throw new RiskTrainError(
        "DATA_INVALID",
        "Unknown value in " + source + ": '" + values[i] + "' (expected " + LEVELS.join(", ") +
          ")",
      );
    }
    out[i] = code;
  }
  return out;
}
