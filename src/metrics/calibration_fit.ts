/**
 * Fitting a calibration map (see `Calibration` in src/types.ts) on out-of-fold
 * predictions: isotonic regression or Platt scaling.
 *
 * @module
 */
import type { Calibration } from "../types.ts";
import { checkBinaryInputs } from "./_curve.ts";
import type { NumericArray } from "./numeric_array.ts";

/** A calibration method, `none` for no map. */
export type CalibrationMethod = "isotonic" | "platt" | "none";

/** The calibration methods, the default first. */
export const CALIBRATION_METHODS = [
  "isotonic",
  "platt",
  "none",
] as const satisfies readonly CalibrationMethod[];

/**
 * Isotonic regression of binary labels on probabilities (pool adjacent violators, non-
 * decreasing), as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`: tied inputs
 * are merged first (their labels averaged), and of each run of equal fitted values only
 * its end points are kept (interpolation between them is the same).
 *
 * @example
 * ```ts
 * import { fitIsotonic } from "./calibration_fit.ts";
 * const map = fitIsotonic(new Float32Array([0, 1, 0, 1]), new Float64Array([0.1, 0.2, 0.3, 0.9]));
 * console.assert(map.method === "isotonic" && map.y[map.y.length - 1] === 1);
 * ```
 */
export function fitIsotonic(
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
): Calibration {
  checkBinaryInputs(label, probability, weight);
  const order = Uint32Array.from(probability.keys()).sort((a, b) =>
    probability[a] - probability[b] || a - b
  );
  // Merge ties: one block per distinct x, with its weighted mean label.
  const xs: number[] = [], sums: number[] = [], masses: number[] = [];
  for (const i of order) {
    const w = weight ? weight[i] : 1;
    if (xs.length > 0 && xs[xs.length - 1] === probability[i]) {
      sums[sums.length - 1] += w * label[i];
      masses[masses.length - 1] += w;
    } else {
      xs.push(probability[i]);
      sums.push(w * label[i]);
      masses.push(w);
    }
  }
  // Pool adjacent violators over the blocks.
  const value: number[] = [], mass: number[] = [], count: number[] = [];
  for (let b = 0; b < xs.length; b++) {
    let v = masses[b] > 0 ? sums[b] / masses[b] : 0, m = masses[b], c = 1;
    while (value.length > 0 && value[value.length - 1] >= v) {
      const pm = mass.pop()!, pv = value.pop()!;
      v = m + pm > 0 ? (v * m + pv * pm) / (m + pm) : pv;
      m += pm;
      c += count.pop()!;
    }
    value.push(v);
    mass.push(m);
    count.push(c);
  }
  const fitted: number[] = [];
  value.forEach((v, b) => {
    for (let c = 0; c < count[b]; c++) fitted.push(v);
  });
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const interior = i > 0 && i < xs.length - 1 && fitted[i - 1] === fitted[i] &&
      fitted[i + 1] === fitted[i];
    if (!interior) {
      x.push(xs[i]);
      y.push(fitted[i]);
    }
  }
  return { method: "isotonic", x, y };
}

/**
 * Platt scaling: the logistic regression of binary labels on the raw score
 * `r = log(p / (1 - p))` (p clipped to [1e-15, 1 - 1e-15]), fitted by maximum likelihood
 * with Newton's method, without regularisation or target smoothing (scikit-learn's
 * `LogisticRegression(penalty=None)` on r); maps through `1 / (1 + exp(-(a r + b)))`.
 *
 * @example
 * ```ts
 * import { fitPlatt } from "./calibration_fit.ts";
 * const map = fitPlatt(new Float32Array([0, 1, 0, 1, 1]), new Float64Array([0.1, 0.6, 0.4, 0.8, 0.3]));
 * console.assert(map.method === "platt" && map.a > 0);
 * ```
 */
export function fitPlatt(
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
): Calibration {
  checkBinaryInputs(label, probability, weight);
  const n = label.length;
  const raw = Float64Array.from(probability, (p) => {
    const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    return Math.log(q / (1 - q));
  });
  const loss = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const z = a * raw[i] + b;
      // log(1 + exp(z)) - y z, computed stably.
      s += (weight ? weight[i] : 1) * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) -
        label[i] * z);
    }
    return s;
  };
  let a = 1, b = 0, current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const w = weight ? weight[i] : 1;
      const p = 1 / (1 + Math.exp(-(a * raw[i] + b)));
      const d = w * (p - label[i]), h = w * p * (1 - p);
      ga += d * raw[i];
      gb += d;
      haa += h * raw[i] * raw[i];
      hab += h * raw[i];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 0)) break;
    const da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    // Halve the Newton step until the loss does not rise.
    let step = 1, next = loss(a - da, b - db);
    while (next > current && step > 1e-8) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (improved <= 1e-13 * Math.max(1, Math.abs(current))) break;
  }
  return { method: "platt", a, b };
}

/**
 * Fits `method` on out-of-fold predictions; null for `none`.
 *
 * @example
 * ```ts
 * import { fitCalibration } from "./calibration_fit.ts";
 * console.assert(fitCalibration("none", new Float32Array([0, 1]), new Float64Array([0.2, 0.8])) === null);
 * ```
 */
export function fitCalibration(
  method: CalibrationMethod,
  label: NumericArray,
  probability: NumericArray,
  weight?: NumericArray | null,
): Calibration | null {
  if (method === "none") return null;
  return method === "isotonic"
    ? fitIsotonic(label, probability, weight)
    : fitPlatt(label, probability, weight);
}
