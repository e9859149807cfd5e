/**
 * The options of `train`, validated by one zod schema.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { IsoDateSchema, ModelTypeSchema } from "../options.ts";
import { HyperparametersSchema } from "./search_space.ts";

/** Progress of training: the trial, fold and boosting iteration reached, and the best score. */
export interface TrainProgress {
  /**
   * Stage: the hyperparameter search, or the final fits (the model on the whole training
   * part, and the out-of-fold fits that choose the threshold).
   */
  stage: "search" | "final";
  /** Trial (configuration) index, from 0; the chosen one in the final stage. */
  trial: number;
  /** Cross-validation fold, from 0; -1 for the model on the whole training part. */
  fold: number;
  /** Boosting iteration reached, from 1. */
  iteration: number;
  /** Best validation score seen so far in the search (NaN before the first result). */
  bestScore: number;
}

/** The options of `train`. */
export const TrainOptionsSchema = z.object({
  /** Must equal the matrix's model type when given. */
  modelType: ModelTypeSchema.optional(),
  /** Share of labelled rows held out from the latest dates (default 0.2). */
  testFraction: z.number().gt(0).lt(1).optional(),
  /** First processing_date of the test set; overrides testFraction. */
  testStartDate: IsoDateSchema.optional(),
  /** Cross-validation folds. */
  folds: z.int().min(2).max(50).default(5),
  /** Hyperparameter search budget; 0 trains the given or default hyperparameters. */
  trials: z.int().min(0).max(1000).default(20),
  /** Seed of every random choice (folds, search, bagging). */
  seed: z.int().min(0).max(0xffffffff).default(42),
  /** Hyperparameters to fix: with trials 0 they override the defaults, else the samples. */
  params: HyperparametersSchema.partial().optional(),
  /** Most boosting rounds of any training. */
  numBoostRound: z.int().min(1).max(100_000).default(1000),
  /** Stop a fold when its validation score has not improved for this many rounds. */
  earlyStoppingRounds: z.int().min(1).default(50),
  /** Class imbalance of the scorers: scale_pos_weight, none, or auto (when positives < 10%). */
  imbalance: z.enum(["auto", "scale_pos_weight", "none"]).default("auto"),
  /** Parallel WebAssembly workers (default: as many as cores). */
  workers: z.int().min(1).max(256).optional(),
  /** Cancels training, also inside the boosting loop. */
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  /** Called as training progresses. */
  onProgress: z.custom<(progress: TrainProgress) => void>((value) => typeof value === "function")
    .optional(),
}).strict();

/** The options of `train` as a caller writes them. */
export type TrainOptions = z.input<typeof TrainOptionsSchema>;

/** The options of `train` after validation and defaults. */
export type ResolvedTrainOptions = z.output<typeof TrainOptionsSchema>;
