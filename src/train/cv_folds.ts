/**
 * Cross-validation folds over the training rows: forward-chaining over whole processing
 * dates (the default), stratified by label, grouped by address (scorers) or by query
 * (ranker; a query group is never split). Seeded where random.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import { dayToIso } from "./_dates.ts";
import type { Random } from "../random.ts";
import type { TimeFoldDates } from "../types.ts";

/** A cross-validation scheme: time-ordered (default), stratified, grouped. */
export type CvScheme = "time" | "stratified" | "grouped";

/** The cross-validation schemes, the default first. */
export const CV_SCHEMES = ["time", "stratified", "grouped"] as const satisfies readonly CvScheme[];

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

/** Shuffles units (of the given sizes) and deals each to the fold with the fewest rows. */
function dealToSmallest(sizesOfUnits: readonly number[], k: number, random: Random): Uint8Array {
  const order = random.shuffle(Array.from({ length: sizesOfUnits.length }, (_, g) => g));
  const sizes = new Array<number>(k).fill(0);
  const foldOf = new Uint8Array(sizesOfUnits.length);
  for (const g of order) {
    const f = sizes.indexOf(Math.min(...sizes));
    foldOf[g] = f;
    sizes[f] += sizesOfUnits[g];
  }
  return foldOf;
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
 * import { createRandom } from "../random.ts";
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
 * import { createRandom } from "../random.ts";
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
  const foldOfGroup = dealToSmallest(
    Array.from({ length: starts.length - 1 }, (_, g) => starts[g + 1] - starts[g]),
    k,
    random,
  );
  const foldOf = new Uint8Array(rows.length);
  foldOfGroup.forEach((f, g) => foldOf.fill(f, starts[g], starts[g + 1]));
  return assemble(rows, foldOf, k);
}

/**
 * Forward-chaining folds over whole processing dates: the latest `k` blocks of
 * `blockDays` distinct training dates (fewer when the dates do not allow k + 1 blocks)
 * are validated in turn, each fold fitting on every date more than `gapDays` days before
 * its block's first date. No validation date is at or before a fitting date plus the gap.
 * Throws `NO_DATA` when there are too few dates.
 *
 * @example
 * ```ts
 * import { timeFolds } from "./cv_folds.ts";
 * const dates = new Int32Array([1, 1, 2, 2, 3, 3, 4, 4]);
 * const { folds } = timeFolds(dates, Uint32Array.from(dates.keys()), 2, 0, 1);
 * console.assert(folds[0].valid.join() === "4,5" && folds[1].train.join() === "0,1,2,3,4,5");
 * ```
 */
export function timeFolds(
  dates: Int32Array,
  rows: Uint32Array,
  k: number,
  gapDays: number,
  blockDays: number,
): { folds: Fold[]; dates: TimeFoldDates[]; blockDays: number } {
  checkK(k);
  const days = [...new Set(Array.from(rows, (r) => dates[r]))].sort((a, b) => a - b);
  // Each fold fits on at least one block's worth of earlier dates.
  const block = Math.min(blockDays, Math.floor(days.length / (k + 1)));
  if (block < 1) {
    throw new RiskTrainError(
      "NO_DATA",
      `Time-ordered ${k}-fold cross-validation needs at least ${
        k + 1
      } training dates: found ${days.length} (use fewer --folds or more dates)`,
    );
  }
  const folds: Fold[] = [];
  const foldDates: TimeFoldDates[] = [];
  for (let f = 0; f < k; f++) {
    const first = days[days.length - (k - f) * block];
    const last = days[days.length - (k - f - 1) * block - 1];
    const train: number[] = [], valid: number[] = [];
    for (const r of rows) {
      const day = dates[r];
      if (day >= first && day <= last) valid.push(r);
      else if (day + gapDays < first) train.push(r);
    }
    if (train.length === 0) {
      throw new RiskTrainError(
        "NO_DATA",
        `Fold ${f + 1} of the time-ordered cross-validation has no date to fit on before ${
          dayToIso(first)
        } with a gap of ${gapDays} days (use a smaller --cv-gap-days or fewer --folds)`,
      );
    }
    let fitStart = Infinity, fitEnd = -Infinity;
    for (const r of train) {
      fitStart = Math.min(fitStart, dates[r]);
      fitEnd = Math.max(fitEnd, dates[r]);
    }
    foldDates.push({
      fit_start_date: dayToIso(fitStart),
      fit_end_date: dayToIso(fitEnd),
      valid_start_date: dayToIso(first),
      valid_end_date: dayToIso(last),
      fit_rows: train.length,
      valid_rows: valid.length,
    });
    folds.push({ train: Uint32Array.from(train), valid: Uint32Array.from(valid) });
  }
  return { folds, dates: foldDates, blockDays: block };
}

/**
 * Grouped k folds by a key per row (e.g. an address): each key's rows go whole to one fold.
 * Keys are shuffled with `random`, then each goes to the fold with the fewest rows so far.
 * Throws `NO_DATA` when there are fewer than k keys.
 *
 * @example
 * ```ts
 * import { keyedFolds } from "./cv_folds.ts";
 * import { createRandom } from "../random.ts";
 * const folds = keyedFolds(["a", "b", "a", "c"], Uint32Array.from([0, 1, 2, 3]), 2, createRandom(1));
 * console.assert(folds.some((f) => f.valid.join() === "0,2" || f.train.join() === "0,2"));
 * ```
 */
export function keyedFolds(
  keys: readonly string[],
  rows: Uint32Array,
  k: number,
  random: Random,
): Fold[] {
  checkK(k);
  const index = new Map<string, number>();
  const keyOf = Uint32Array.from(rows, (r) => {
    let id = index.get(keys[r]);
    if (id === undefined) index.set(keys[r], id = index.size);
    return id;
  });
  if (index.size < k) {
    throw new RiskTrainError(
      "NO_DATA",
      `${k}-fold cross-validation grouped by address needs at least ${k} addresses: found ${index.size}`,
    );
  }
  const counts = new Array<number>(index.size).fill(0);
  for (const id of keyOf) counts[id]++;
  const foldOfKey = dealToSmallest(counts, k, random);
  return assemble(rows, Uint8Array.from(keyOf, (id) => foldOfKey[id]), k);
}
