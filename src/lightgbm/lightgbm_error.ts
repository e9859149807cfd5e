/**
 * The error LightGBM's C API reports.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";

/**
 * A LightGBM C API call failed; `message` is LightGBM's own text (LGBM_GetLastError).
 *
 * @example
 * ```ts
 * import { LightGBMError } from "./lightgbm_error.ts";
 * const error = new LightGBMError("LGBM_BoosterCreate", "Unknown objective: bogus");
 * console.assert(error.code === "LIGHTGBM" && error.apiFunction === "LGBM_BoosterCreate");
 * ```
 */
export class LightGBMError extends RiskTrainError {
  /** The C API function that failed, e.g. `LGBM_BoosterCreate`. */
  readonly apiFunction: string;

  /** Creates the error from the failing function's name and LightGBM's message. */
  constructor(apiFunction: string, message: string) {
    super("LIGHTGBM", `LightGBM ${apiFunction} failed: ${message}`);
    this.name = "LightGBMError";
    this.apiFunction = apiFunction;
  }
}
