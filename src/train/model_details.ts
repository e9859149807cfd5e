/**
 * The `TrainedModel` that `train` returns: the final model, its figures and the details the
 * metadata records of how every figure was obtained (split, folds, search, evaluation).
 *
 * @module
 */
import type { LightGBMParams, TrainingResult } from "../lightgbm/mod.ts";
import type { Calibration, EvaluationData, FeatureMatrix, TrainedModel } from "../types.ts";
import { dayToIso } from "./_dates.ts";
import type { ImbalanceDecision } from "./_lightgbm_params.ts";
import { LIGHTGBM_VERSION } from "./_lightgbm_version.ts";
import type { TestEvaluation } from "./_test_evaluation.ts";
import type { CvSummary } from "./cv_curves.ts";
import { type ChosenFolds, schemeDescription } from "./fold_choice.ts";
import type { Hyperparameters } from "./search_space.ts";
import type { HalvingRecord, halvingSchedule } from "./successive_halving.ts";
import type { TimeSplit } from "./time_split.ts";
import type { ResolvedTrainOptions } from "./train_options.ts";

/** Everything a training run established, from which {@linkcode assembleModel} builds the model. */
export interface TrainingOutcome {
  /** The matrix trained on. */
  matrix: FeatureMatrix;
  /** Its labelled rows, the training part first. */
  labelled: FeatureMatrix;
  /** The time split. */
  split: TimeSplit;
  /** The resolved train options. */
  options: ResolvedTrainOptions;
  /** The training configuration's hash (`trainingKey`). */
  configHash: string;
  /** The final fit. */
  final: TrainingResult;
  /** Its LightGBM parameters. */
  finalParams: LightGBMParams;
  /** Test and cross-validation metrics. */
  metrics: Record<string, number>;
  /** The test evaluation. */
  evaluation: TestEvaluation;
  /** What the report plots. */
  reportData: EvaluationData;
  /** The calibration fitted on out-of-fold predictions, or null. */
  calibration: Calibration | null;
  /** The out-of-fold F1-maximising threshold, or null. */
  threshold: number | null;
  /** Why the model is weak (empty: it is not). */
  weak: readonly string[];
  /** The class imbalance decision. */
  imbalance: ImbalanceDecision;
  /** The cross-validated metric's name. */
  metric: string;
  /** The folds. */
  chosen: ChosenFolds;
  /** Training rows with an out-of-fold prediction (scorers). */
  oofRows: readonly number[];
  /** The chosen configuration's cross-validation summary. */
  cvSummary: CvSummary;
  /** The search: configurations, schedule, chosen trial and history. */
  search: {
    configs: readonly Hyperparameters[];
    schedule: ReturnType<typeof halvingSchedule>;
    best: number;
    history: readonly HalvingRecord<CvSummary & { score: number }>[];
  };
  /** Durations in milliseconds by stage. */
  timings: Record<string, number>;
  /** Parallel training workers used. */
  workers: number;
}

/** The trained model of a training run's outcome, with the details its metadata records. */
export function assembleModel(outcome: TrainingOutcome): TrainedModel {
  const { matrix, labelled, split, options, final, evaluation, chosen, search } = outcome;
  const { cvSummary, weak, oofRows } = outcome;
  const { modelType } = matrix;
  const scorer = modelType !== "alert_ranker";
  const rounds = cvSummary.bestIteration;
  let positives = 0;
  for (const y of labelled.label) if (y >= (scorer ? 1 : 2)) positives++;
  const importance = final.featureImportance;
  return {
    modelType,
    modelText: final.modelText!,
    featureNames: [...matrix.featureNames],
    categorical: matrix.categorical,
    hyperparameters: { ...outcome.finalParams, num_iterations: rounds },
    numTrees: final.numIterations,
    metrics: outcome.metrics,
    dataStats: {
      numSamples: labelled.numRows,
      numFeatures: matrix.numFeatures,
      positiveRate: positives / labelled.numRows,
    },
    featureImportance: matrix.featureNames.map((name, j) => ({
      name,
      split: importance.split[j],
      gain: importance.gain[j],
    })),
    evaluation: outcome.reportData,
    ...(outcome.calibration ? { calibration: outcome.calibration } : {}),
    details: {
      weak: weak.length > 0,
      ...(weak.length > 0 ? { weak_reasons: weak } : {}),
      evaluation: {
        per_date: evaluation.result.perDate,
        intervals: evaluation.result.intervals,
        method: evaluation.result.method,
        baseline: evaluation.baseline,
        seen_addresses: evaluation.seenDefinition,
      },
      ...(evaluation.comparison ? { comparison: evaluation.comparison } : {}),
      calibration_fit: scorer
        ? {
          method: options.calibration,
          fitted_on: "out-of-fold predictions of the chosen configuration",
          rows: oofRows.length,
        }
        : null,
      seed: options.seed,
      config_hash: outcome.configHash,
      lightgbm_version: LIGHTGBM_VERSION,
      threshold: outcome.threshold,
      timings_ms: outcome.timings,
      split: {
        train_start_date: split.trainStartDate,
        train_end_date: split.trainEndDate,
        test_start_date: split.testStartDate,
        test_end_date: split.testEndDate,
        train_rows: split.trainRows.length,
        test_rows: split.testRows.length,
      },
      unlabelled_rows: matrix.numRows - labelled.numRows,
      positive_definition: scorer
        ? "label 1 (risk_level high or critical)"
        : "grade >= 2 (high or critical)",
      imbalance: outcome.imbalance,
      cv: {
        metric: outcome.metric,
        scheme: options.cv,
        scheme_description: schemeDescription(options.cv, scorer),
        folds: options.folds,
        gap_days: options.cv === "time" ? options.cvGapDays : null,
        block_days: chosen.blockDays,
        fold_dates: chosen.foldDates ?? chosen.folds.map((fold) => ({
          fit_rows: fold.train.length,
          valid_rows: fold.valid.length,
        })),
        out_of_fold: scorer ? oofSummary(labelled.processingDates, oofRows) : null,
        mean: cvSummary.mean,
        std: cvSummary.std,
        best_iteration: rounds,
        early_stopping_rounds: options.earlyStoppingRounds,
      },
      search: {
        method: "successive_halving",
        eta: 3,
        trials: search.configs.length,
        num_boost_round: options.numBoostRound,
        schedule: search.schedule,
        chosen_trial: search.best,
        configurations: search.configs,
        history: search.history.map((h) => ({
          rung: h.rung,
          rounds: h.rounds,
          trial: h.config,
          score: h.result.score,
          std: h.result.std,
          best_iteration: h.result.bestIteration,
        })),
      },
      workers: outcome.workers,
    },
    provenance: matrix.provenance,
  };
}

/** Which dates have out-of-fold predictions (time folds: the validated blocks only). */
function oofSummary(dates: Int32Array, rows: readonly number[]) {
  const days = [...new Set(rows.map((r) => dates[r]))].sort((a, b) => a - b);
  return {
    rows: rows.length,
    dates: days.length,
    start_date: days.length ? dayToIso(days[0]) : null,
    end_date: days.length ? dayToIso(days[days.length - 1]) : null,
  };
}
