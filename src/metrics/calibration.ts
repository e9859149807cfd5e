/**
 * Applying a stored calibration map to predicted probabilities.
 *
 * @module
 */
import type { Calibration } from "../types.ts";
import type { NumericArray } from "./numeric_array.ts";

function isotonic(x: readonly number[], y: readonly number[], p: number): number {
  if (p <= x[0]) return y[0];
  const last = x.length - 1;
  if (p >= x[last]) return y[last];
  let lo = 0, hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= p) lo = mid;
    else hi = mid;
  }
  const span = x[hi] - x[lo];
  return span === 0 ? y[hi] : y[lo] + (y[hi] - y[lo]) * (p - x[lo]) / span;
}

function platt(a: number, b: number, p: number): number {
  const raw = Math.log(p / (1 - p));
  return 1 / (1 + Math.exp(-(a * raw + b)));
}

/**
 * Maps predicted probabilities through a calibration (see {@linkcode Calibration}).
 *
 * @example
 * ```ts
 * import { applyCalibration } from "./calibration.ts";
 * const out = applyCalibration(
 *   { method: "isotonic", x: [0, 1], y: [0.1, 0.9] },
 *   new Float64Array([0.5]),
 * );
 * console.assert(Math.abs(out[0] - 0.5) < 1e-12);
 * ```
 */
export function applyCalibration(
  calibration: Calibration,
  probability: NumericArray,
): Float64Array {
  const out = new Float64Array(probability.length);
  if (calibration.method === "isotonic") {
    const { x, y } = calibration;
    if (x.length === 0 || x.length !== y.length) {
      throw new RangeError(
        `Isotonic calibration needs as many x as y points: ${x.length}, ${y.length}`,
      );
    }
    for (let i = 0; i < out.length; i++) out[i] = isotonic(x, y, probability[i]);
  } else {
    const { a, b } = calibration;
    for (let i = 0; i < out.length; i++) out[i] = platt(a, b, probability[i]);
  }
  return out;
}
