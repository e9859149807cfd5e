/**
 * The options of `train`, validated by one zod schema.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { IsoDateSchema, ModelTypeSchema } from "../options.ts";
import { CALIBRATION_METHODS, type CalibrationMethod } from "../metrics/calibration_fit.ts";
import { type Hyperparameters, hyperparameterShape } from "./search_space.ts";
import type { CategoricalFeature, ModelType } from "../types.ts";
import { CV_SCHEMES, type CvScheme } from "./cv_folds.ts";

/** The model of the same network, type and window trained before, to compare against. */
export interface PreviousModel {
  /** Its registry id. */
  modelId: string;
  /** Its LightGBM text model. */
  modelText: string;
  /** Its feature names in column order. */
  featureNames: readonly string[];
  /** Its categorical dictionaries (its codes may differ from the new matrix's). */
  categorical: readonly CategoricalFeature[];
}

/**
 * Progress of training, reported after every boosting iteration of every job. `done` and
 * `total` count boosting rounds in the stage: the search's budget is the successive-halving
 * schedule's (every rung's configurations x rounds x folds); a job that stops early is
 * credited the rounds it did not need, so `done` reaches `total` when the stage ends.
 */
export interface TrainProgress {
  /**
   * Stage: the hyperparameter search, the final fit on the whole training part, or the
   * out-of-fold fits that choose the threshold (scorers only).
   */
  stage: "search" | "final" | "threshold";
  /** Trial (configuration) index, from 0; the chosen one in the final stages. */
  trial: number;
  /** Cross-validation fold, from 0; -1 for the model on the whole training part. */
  fold: number;
  /** Rung of the successive-halving schedule, from 0; -1 outside the search. */
  rung: number;
  /** Boosting iteration the job reached, from 1. */
  iteration: number;
  /** Boosting rounds of the stage done so far (all its jobs). */
  done: number;
  /** Boosting rounds the stage may run at most. */
  total: number;
  /** Best cross-validated score of a finished trial so far (NaN before the first). */
  bestScore: number;
}

/** The options of `train` as a caller writes them. */
export interface TrainOptions {
  /** Must equal the matrix's model type when given. */
  modelType?: ModelType;
  /** Share of labelled rows held out from the latest dates (default 0.2). */
  testFraction?: number;
  /** First processing_date (`YYYY-MM-DD`) of the test set; overrides testFraction. */
  testStartDate?: string;
  /** Cross-validation folds (default 5). */
  folds?: number;
  /**
   * Fold scheme (default `time`): `time` forward-chains over whole processing dates;
   * `stratified` deals rows at random by label (scorers); `grouped` keeps each address in
   * one fold (scorers: the pessimistic unseen-addresses view) or each query group (ranker).
   */
  cv?: CvScheme;
  /** Days between a time-ordered fold's last fitting date and its validation block (0). */
  cvGapDays?: number;
  /** Alerts an investigator works per processing date, for precision@k (default 100). */
  alertBudget?: number;
  /** Calibration fitted on the out-of-fold predictions of the scorers (default isotonic). */
  calibration?: CalibrationMethod;
  /** Save a model that is no better than its baseline (marked weak) instead of failing. */
  allowWeak?: boolean;
  /** The previous model to score on the new test window (not part of the training key). */
  previous?: PreviousModel;
  /** Hyperparameter search budget (default 20); 0 trains the given or default ones. */
  trials?: number;
  /** Seed of every random choice: folds, search, bagging (default 42). */
  seed?: number;
  /** Hyperparameters to fix: with trials 0 they override the defaults, else the samples. */
  params?: Partial<Hyperparameters>;
  /** Most boosting rounds of any training (default 1000). */
  numBoostRound?: number;
  /** Stop a fold when its validation score has not improved for this many rounds (50). */
  earlyStoppingRounds?: number;
  /** Class imbalance of the scorers: scale_pos_weight, none, or auto (positives < 10%). */
  imbalance?: "auto" | "scale_pos_weight" | "none";
  /** Parallel WebAssembly workers (default: as many as cores). */
  workers?: number;
  /** Cancels training, also inside the boosting loop. */
  signal?: AbortSignal;
  /** Called as training progresses. */
  onProgress?: (progress: TrainProgress) => void;
}

/** The options of `train` after validation, with their defaults. */
export interface ResolvedTrainOptions extends TrainOptions {
  /** Cross-validation folds. */
  folds: number;
  /** Hyperparameter search budget. */
  trials: number;
  /** Seed of every random choice. */
  seed: number;
  /** Most boosting rounds of any training. */
  numBoostRound: number;
  /** Early-stopping patience. */
  earlyStoppingRounds: number;
  /** Class imbalance handling. */
  imbalance: "auto" | "scale_pos_weight" | "none";
  /** Fold scheme. */
  cv: CvScheme;
  /** Gap of the time-ordered folds in days. */
  cvGapDays: number;
  /** Alerts worked per day. */
  alertBudget: number;
  /** Calibration method. */
  calibration: CalibrationMethod;
  /** Whether a weak model is saved. */
  allowWeak: boolean;
}

/** The zod schema of {@linkcode TrainOptions}: validates them and fills the defaults. */
export const TrainOptionsSchema: z.ZodType<ResolvedTrainOptions, TrainOptions> = z.object({
  modelType: ModelTypeSchema.optional(),
  testFraction: z.number().gt(0).lt(1).optional(),
  testStartDate: IsoDateSchema.optional(),
  folds: z.int().min(2).max(50).default(5),
  cv: z.enum(CV_SCHEMES).default("time"),
  cvGapDays: z.int().min(0).max(3650).default(0),
  alertBudget: z.int().min(1).max(10_000_000).default(100),
  calibration: z.enum(CALIBRATION_METHODS).default("isotonic"),
  allowWeak: z.boolean().default(false),
  previous: z.custom<PreviousModel>((value) =>
    typeof value === "object" && value !== null && "modelText" in value
  ).optional(),
  trials: z.int().min(0).max(1000).default(20),
  seed: z.int().min(0).max(0xffffffff).default(42),
  params: hyperparameterShape.partial().optional(),
  numBoostRound: z.int().min(1).max(100_000).default(1000),
  earlyStoppingRounds: z.int().min(1).default(50),
  imbalance: z.enum(["auto", "scale_pos_weight", "none"]).default("auto"),
  workers: z.int().min(1).max(256).optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  onProgress: z.custom<(progress: TrainProgress) => void>((value) => typeof value === "function")
    .optional(),
}).strict();
