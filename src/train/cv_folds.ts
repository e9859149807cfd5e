/**
 * Cross-validation folds over the training rows: stratified by label for the scorers,
 * grouped by query for the ranker (a query group is never split). Seeded.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { Random } from "./random.ts";

/** One fold: matrix row indices to fit on and to validate on, each in ascending order. */
export interface Fold {
  /** Rows to fit on. */
  train: Uint32Array;
  /** Rows to validate on. */
  valid: Uint32Array;
}

function assemble(rows: Uint32Array, foldOf: Uint8Array, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [], valid: number[] = [];
    for (let p = 0; p < rows.length; p++) (foldOf[p] === f ? valid : train).push(rows[p]);
    folds.push({ train: Uint32Array.from(train), valid: Uint32Array.from(valid) });
  }
  return folds;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 2 || k > 255) {
    throw new RangeError(`Folds must be an integer from 2 to 255: ${k}`);
  }
}

/**
 * Stratified k folds of `rows` (ascending matrix indices with binary labels): each class
 * is shuffled with `random` and dealt round-robin, so every fold holds nearly the same
 * share of positives. Throws `NO_DATA` when a class has fewer than k rows.
 *
 * @example
 * ```ts
 * import { stratifiedFolds } from "./cv_folds.ts";
 * import { createRandom } from "./random.ts";
 * const label = new Float32Array([0, 1, 0, 1, 0, 1]);
 * const folds = stratifiedFolds(label, Uint32Array.from([0, 1, 2, 3, 4, 5]), 3, createRandom(1));
 * console.assert(folds.every((f) => f.valid.length === 2));
 * ```
 */
export function stratifiedFolds(
  label: Float32Array,
  rows: Uint32Array,
  k: number,
  random: Random,
): Fold[] {
  checkK(k);
  const positives: number[] = [], negatives: number[] = [];
  rows.forEach((row, p) => (label[row] > 0 ? positives : negatives).push(p));
  if (positives.length < k || negatives.length < k) {
    throw new RiskTrainError(
      "NO_DATA",
      `${k}-fold cross-validation needs at least ${k} positive and ${k} negative training rows: found ${positives.length} positive, ${negatives.length} negative`,
    );
  }
  const foldOf = new Uint8Array(rows.length);
  let next = 0;
  for (const positions of [positives, negatives]) {
    for (const p of random.shuffle(positions)) foldOf[p] = next++ % k;
  }
  return assemble(rows, foldOf, k);
}

/**
 * Grouped k folds of `rows` (ascending matrix indices, query groups contiguous): the groups
 * are shuffled with `random`, then each goes whole to the fold with the fewest rows so far.
 * Throws `NO_DATA` when there are fewer than k groups.
 *
 * @example
 * ```ts
 * import { groupedFolds } from "./cv_folds.ts";
 * import { createRandom } from "./random.ts";
 * const group = new Int32Array([1, 1, 2, 2, 3, 3]);
 * const folds = groupedFolds(group, Uint32Array.from([0, 1, 2, 3, 4, 5]), 3, createRandom(1));
 * console.assert(folds.every((f) => f.valid.length === 2));
 * ```
 */
export function groupedFolds(
  group: Int32Array,
  rows: Uint32Array,
  k: number,
  random: Random,
): Fold[] {
  checkK(k);
  const starts: number[] = [];
  for (let p = 0; p < rows.length; p++) {
    if (p === 0 || group[rows[p]] !== group[rows[p - 1]]) starts.push(p);
  }
  if (starts.length < k) {
    throw new RiskTrainError(
      "NO_DATA",
      `${k}-fold cross-validation needs at least ${k} query groups in the training part: found ${starts.length}`,
    );
  }
  starts.push(rows.length);
  const order = random.shuffle(Array.from({ length: starts.length - 1 }, (_, g) => g));
  const sizes = new Array<number>(k).fill(0);
  const foldOf = new Uint8Array(rows.length);
  for (const g of order) {
    const f = sizes.indexOf(Math.min(...sizes));
    foldOf.fill(f, starts[g], starts[g + 1]);
    sizes[f] += starts[g + 1] - starts[g];
  }
  return assemble(rows, foldOf, k);
}
