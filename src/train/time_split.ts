/**
 * The time split: the latest processing dates are the test set, never shuffled across time.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { FeatureMatrix } from "../types.ts";
import { dayToIso, isoToDay } from "./_dates.ts";

/** The share of labelled rows held out when neither a fraction nor a date is given. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** Where the test set starts: a share of the labelled rows, or an explicit first date. */
export interface TimeSplitOptions {
  /** Share of labelled rows (taken from the latest dates) to hold out, in (0, 1). */
  testFraction?: number;
  /** First processing_date (`YYYY-MM-DD`) of the test set; overrides testFraction. */
  testStartDate?: string;
}

/** The labelled rows of each side of the split, in matrix order, and its dates. */
export interface TimeSplit {
  /** Matrix row indices of the training part (labelled, before the test start). */
  trainRows: Uint32Array;
  /** Matrix row indices of the test part (labelled, from the test start). */
  testRows: Uint32Array;
  /** First and last processing_date of the training rows, `YYYY-MM-DD`. */
  trainStartDate: string;
  /** Last processing_date of the training rows. */
  trainEndDate: string;
  /** First processing_date of the test rows. */
  testStartDate: string;
  /** Last processing_date of the test rows. */
  testEndDate: string;
}

/**
 * Splits the labelled rows of `matrix` by processing date: rows on or after the test
 * start date are the test set. With `testFraction`, the test start is the latest date
 * such that the rows from it on are at least that share of the labelled rows. Unlabelled
 * rows (label NaN) are on neither side. Throws `NO_DATA` when a side would be empty, and
 * `DATA_INVALID` when a ranker's query group spans several dates.
 *
 * @example
 * ```ts ignore
 * const split = timeSplit(matrix, { testFraction: 0.2 });
 * console.log(split.testStartDate, split.testRows.length);
 * ```
 */
export function timeSplit(matrix: FeatureMatrix, options: TimeSplitOptions): TimeSplit {
  const { label, processingDates: dates, group } = matrix;
  const labelled: number[] = [];
  for (let i = 0; i < matrix.numRows; i++) if (!Number.isNaN(label[i])) labelled.push(i);
  if (labelled.length === 0) {
    throw new RiskTrainError("NO_DATA", "No labelled rows to train on: every label is missing");
  }
  if (group) checkGroupsWithinDates(group, dates);
  const cutoff = options.testStartDate !== undefined
    ? isoToDay(options.testStartDate)
    : fractionCutoff(labelled, dates, options.testFraction ?? DEFAULT_TEST_FRACTION);
  const train = labelled.filter((i) => dates[i] < cutoff);
  const test = labelled.filter((i) => dates[i] >= cutoff);
  const span = (rows: number[]) => {
    let min = Infinity, max = -Infinity;
    for (const i of rows) {
      if (dates[i] < min) min = dates[i];
      if (dates[i] > max) max = dates[i];
    }
    return [dayToIso(min), dayToIso(max)];
  };
  const all = span(labelled);
  if (train.length === 0 || test.length === 0) {
    throw new RiskTrainError(
      "NO_DATA",
      `The time split at ${dayToIso(cutoff)} leaves the ${
        train.length === 0 ? "training" : "test"
      } set empty: labelled rows span ${all[0]} to ${all[1]}`,
    );
  }
  const [trainStartDate, trainEndDate] = span(train);
  const [testStartDate, testEndDate] = span(test);
  return {
    trainRows: Uint32Array.from(train),
    testRows: Uint32Array.from(test),
    trainStartDate,
    trainEndDate,
    testStartDate,
    testEndDate,
  };
}

function fractionCutoff(labelled: number[], dates: Int32Array, fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`Test fraction must be in (0, 1): ${fraction}`);
  }
  const perDay = new Map<number, number>();
  for (const i of labelled) perDay.set(dates[i], (perDay.get(dates[i]) ?? 0) + 1);
  const days = [...perDay.keys()].sort((a, b) => b - a);
  const wanted = fraction * labelled.length;
  let count = 0;
  for (const day of days) {
    count += perDay.get(day)!;
    if (count >= wanted) return day;
  }
  return days[days.length - 1];
}

function checkGroupsWithinDates(group: Int32Array, dates: Int32Array): void {
  for (let i = 1; i < group.length; i++) {
    if (group[i] === group[i - 1] && dates[i] !== dates[i - 1]) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Query group ${group[i]} spans processing dates ${dayToIso(dates[i - 1])} and ${
          dayToIso(dates[i])
        }: a time split would cut it`,
      );
    }
  }
}
