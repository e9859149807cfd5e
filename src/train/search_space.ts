/**
 * The hyperparameters risktrain tunes, their defaults and the seeded sampler of the search.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import type { Random } from "../random.ts";

/** The tuned LightGBM hyperparameters (LightGBM's own names). */
export interface Hyperparameters {
  /** Maximum leaves per tree. */
  num_leaves: number;
  /** Shrinkage of each tree. */
  learning_rate: number;
  /** Minimum rows in a leaf. */
  min_data_in_leaf: number;
  /** Share of features each tree considers. */
  feature_fraction: number;
  /** Share of rows each bagging round samples. */
  bagging_fraction: number;
  /** Bagging every this many iterations (0: no bagging). */
  bagging_freq: number;
  /** L1 regularisation. */
  lambda_l1: number;
  /** L2 regularisation. */
  lambda_l2: number;
  /** Maximum tree depth (-1: unlimited). */
  max_depth: number;
}

/** The validation of each hyperparameter, as an object schema (partial() for fixed ones). */
export const hyperparameterShape = z.object({
  num_leaves: z.int().min(2).max(131072),
  learning_rate: z.number().positive().max(1),
  min_data_in_leaf: z.int().min(1),
  feature_fraction: z.number().gt(0).max(1),
  bagging_fraction: z.number().gt(0).max(1),
  bagging_freq: z.int().min(0),
  lambda_l1: z.number().min(0),
  lambda_l2: z.number().min(0),
  max_depth: z.int().min(-1),
}).strict();

/** The zod schema of {@linkcode Hyperparameters}. */
export const HyperparametersSchema: z.ZodType<Hyperparameters> = hyperparameterShape;

/** The hyperparameters trained with `trials: 0` unless others are given. */
export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = Object.freeze({
  num_leaves: 31,
  learning_rate: 0.05,
  min_data_in_leaf: 20,
  feature_fraction: 0.8,
  bagging_fraction: 0.8,
  bagging_freq: 5,
  lambda_l1: 0,
  lambda_l2: 0,
  max_depth: -1,
});

function logUniform(random: Random, low: number, high: number): number {
  return Math.exp(Math.log(low) + random.nextFloat() * (Math.log(high) - Math.log(low)));
}

function round(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}

/**
 * Draws one configuration from the search space: num_leaves 8..256 and min_data_in_leaf
 * 5..200 and learning_rate 0.01..0.3 log-uniform, feature_fraction and bagging_fraction
 * 0.5..1 uniform with bagging_freq 1 or 5 (0 when bagging_fraction is 1), lambda_l1/l2 0
 * half the time else 1e-3..10 log-uniform, max_depth -1 (none) half the time else 3..12.
 *
 * @example
 * ```ts
 * import { sampleHyperparameters } from "./search_space.ts";
 * import { createRandom } from "../random.ts";
 * const params = sampleHyperparameters(createRandom(42));
 * console.assert(params.num_leaves >= 8 && params.num_leaves <= 256);
 * ```
 */
export function sampleHyperparameters(random: Random): Hyperparameters {
  const num_leaves = Math.round(logUniform(random, 8, 256));
  const learning_rate = round(logUniform(random, 0.01, 0.3), 4);
  const min_data_in_leaf = Math.round(logUniform(random, 5, 200));
  const feature_fraction = round(0.5 + 0.5 * random.nextFloat(), 3);
  const bagging_fraction = round(0.5 + 0.5 * random.nextFloat(), 3);
  const bagging_freq = bagging_fraction < 1 ? (random.nextFloat() < 0.5 ? 1 : 5) : 0;
  const regularisation = () =>
    random.nextFloat() < 0.5 ? 0 : round(logUniform(random, 1e-3, 10), 4);
  const lambda_l1 = regularisation();
  const lambda_l2 = regularisation();
  const max_depth = random.nextFloat() < 0.5 ? -1 : 3 + random.nextInt(10);
  return {
    num_leaves,
    learning_rate,
    min_data_in_leaf,
    feature_fraction,
    bagging_fraction,
    bagging_freq,
    lambda_l1,
    lambda_l2,
    max_depth,
  };
}
