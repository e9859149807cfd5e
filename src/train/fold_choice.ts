/**
 * Which cross-validation folds `train` uses: time-ordered blocks, whole query groups (the
 * ranker), address-grouped or label-stratified rows, by the `cv` option.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import type { Random } from "../random.ts";
import type { FeatureMatrix, TimeFoldDates } from "../types.ts";
import { type Fold, groupedFolds, keyedFolds, stratifiedFolds, timeFolds } from "./cv_folds.ts";
import type { ResolvedTrainOptions } from "./train_options.ts";

/** The folds chosen, and for time-ordered folds their dates and block length. */
export interface ChosenFolds {
  /** The folds, as row indices of the labelled matrix. */
  folds: Fold[];
  /** The time folds' dates, or null for the other schemes. */
  foldDates: TimeFoldDates[] | null;
  /** Days per validation block of the time folds, or null. */
  blockDays: number | null;
}

/**
 * The folds of the training rows `trainIndex` of `labelled` under `options.cv`, dealt by
 * `random` (the time folds draw nothing); `testDays` is the number of test dates.
 */
export function chooseFolds(
  labelled: FeatureMatrix,
  trainIndex: Uint32Array,
  testDays: number,
  options: Pick<ResolvedTrainOptions, "cv" | "folds" | "cvGapDays">,
  random: Random,
): ChosenFolds {
  if (options.cv === "time") {
    const time = timeFolds(
      labelled.processingDates,
      trainIndex,
      options.folds,
      options.cvGapDays,
      testDays,
    );
    return { folds: time.folds, foldDates: time.dates, blockDays: time.blockDays };
  }
  const dealt = (folds: Fold[]) => ({ folds, foldDates: null, blockDays: null });
  if (labelled.modelType === "alert_ranker") {
    if (options.cv === "stratified") {
      throw new RiskTrainError(
        "CONFIG_INVALID",
        "The ranker's folds are whole query groups: use cv time or grouped, not stratified",
      );
    }
    return dealt(groupedFolds(labelled.group!, trainIndex, options.folds, random));
  }
  if (options.cv === "grouped") {
    if (!labelled.addresses) {
      throw new RiskTrainError(
        "CONFIG_INVALID",
        "Folds grouped by address need the matrix's addresses (buildFeatures sets them)",
      );
    }
    return dealt(keyedFolds(labelled.addresses, trainIndex, options.folds, random));
  }
  return dealt(stratifiedFolds(labelled.label, trainIndex, options.folds, random));
}

/** What the metadata says of a fold scheme. */
export function schemeDescription(scheme: string, scorer: boolean): string {
  if (scheme === "time") {
    return "forward-chaining over whole processing dates: each fold fits on the dates before its validation block (minus the gap)";
  }
  if (!scorer) return "whole query groups (processing dates) dealt at random";
  return scheme === "grouped"
    ? "grouped by address: no address in both the fitting and validation rows (pessimistic: every validation address is unseen)"
    : "stratified by label, rows dealt at random (optimistic: the same address on the same day can be on both sides)";
}
