/**
 * LightGBM parameters: a zod schema that checks the common ones and passes every other
 * LightGBM parameter (by LightGBM's own names and aliases) through, and their
 * serialisation to the `key=value` string of the C API.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";

const value = z.union([z.string(), z.number(), z.boolean()]);
const list = z.array(z.union([z.string(), z.number()]));
const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

/** A parameter value: LightGBM's string form is `String(value)`, lists comma-joined. */
export type LightGBMParamValue = string | number | boolean | readonly (string | number)[];

/**
 * LightGBM parameters by LightGBM's own names (and aliases). The common ones are typed;
 * any other LightGBM parameter passes through.
 */
export interface LightGBMParams {
  /** `binary`, `lambdarank`, `regression`, ... */
  objective?: string;
  /** `gbdt` (default), `rf` or `dart`. */
  boosting?: "gbdt" | "rf" | "dart";
  /** Metric name(s). */
  metric?: string | readonly string[];
  /** Most leaves per tree. */
  num_leaves?: number;
  /** Shrinkage. */
  learning_rate?: number;
  /** Boosting iterations (train() sets it from numBoostRound). */
  num_iterations?: number;
  /** Tree depth limit (<= 0: none). */
  max_depth?: number;
  /** Fewest rows in a leaf. */
  min_data_in_leaf?: number;
  /** Least hessian sum in a leaf. */
  min_sum_hessian_in_leaf?: number;
  /** Row subsample per bagging round. */
  bagging_fraction?: number;
  /** Bagging every k iterations (0: off). */
  bagging_freq?: number;
  /** Feature subsample per tree. */
  feature_fraction?: number;
  /** L1 regularisation. */
  lambda_l1?: number;
  /** L2 regularisation. */
  lambda_l2?: number;
  /** Most bins per feature. */
  max_bin?: number;
  /** Threads (the single-threaded build ignores it). */
  num_threads?: number;
  /** Master seed. */
  seed?: number;
  /** Reproducible results. */
  deterministic?: boolean;
  /** Row-wise histograms (faster in WebAssembly). */
  force_row_wise?: boolean;
  /** Column-wise histograms. */
  force_col_wise?: boolean;
  /** Log level (-1 quiet). */
  verbosity?: number;
  /** Early stopping patience, as Python's `train` reads it. */
  early_stopping_round?: number;
  /** Weight of positive rows (binary). */
  scale_pos_weight?: number;
  /** Balance classes automatically (binary). */
  is_unbalance?: boolean;
  /** Rows sampled to find bin boundaries. */
  bin_construct_sample_cnt?: number;
  /** Seed of that sample. */
  data_random_seed?: number;
  /** Categorical feature indices. */
  categorical_feature?: string | readonly number[];
  /** NDCG/MAP cut-offs. */
  eval_at?: number | readonly number[];
  /** Gain per relevance grade (lambdarank). */
  label_gain?: readonly number[];
  /** Any other LightGBM parameter. */
  [name: string]: LightGBMParamValue | undefined;
}

/**
 * The zod schema of {@linkcode LightGBMParams}: common parameters typed and range-checked,
 * any other LightGBM parameter passed through (LightGBM itself rejects unknown values).
 *
 * @example
 * ```ts
 * import { lightgbmParamsSchema } from "./params.ts";
 * const params = lightgbmParamsSchema.parse({ objective: "binary", num_leaves: 31 });
 * console.assert(params.num_leaves === 31);
 * ```
 */
export const lightgbmParamsSchema: z.ZodType<LightGBMParams> = z.object({
  objective: z.string().min(1).optional(),
  boosting: z.enum(["gbdt", "rf", "dart"]).optional(),
  metric: z.union([z.string(), z.array(z.string())]).optional(),
  num_leaves: z.number().int().min(2).max(131072).optional(),
  learning_rate: z.number().positive().optional(),
  num_iterations: z.number().int().nonnegative().optional(),
  max_depth: z.number().int().optional(),
  min_data_in_leaf: z.number().int().nonnegative().optional(),
  min_sum_hessian_in_leaf: nonNegative.optional(),
  bagging_fraction: z.number().gt(0).lte(1).optional(),
  bagging_freq: z.number().int().nonnegative().optional(),
  feature_fraction: z.number().gt(0).lte(1).optional(),
  lambda_l1: nonNegative.optional(),
  lambda_l2: nonNegative.optional(),
  max_bin: z.number().int().min(2).optional(),
  num_threads: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional(),
  deterministic: z.boolean().optional(),
  force_row_wise: z.boolean().optional(),
  force_col_wise: z.boolean().optional(),
  verbosity: z.number().int().optional(),
  early_stopping_round: z.number().int().nonnegative().optional(),
  scale_pos_weight: z.number().positive().optional(),
  is_unbalance: z.boolean().optional(),
  bin_construct_sample_cnt: positiveInt.optional(),
  data_random_seed: z.number().int().optional(),
  categorical_feature: z.union([z.string(), z.array(z.number().int().nonnegative())])
    .optional(),
  eval_at: z.union([z.number().int().positive(), z.array(positiveInt)]).optional(),
  label_gain: z.array(nonNegative).optional(),
}).catchall(z.union([value, list]));

/**
 * Validates parameters; throws RiskTrainError `CONFIG_INVALID` naming each bad one.
 *
 * @example
 * ```ts
 * import { parseParams } from "./params.ts";
 * console.assert(parseParams({ num_leaves: 15 }).num_leaves === 15);
 * ```
 */
export function parseParams(params: LightGBMParams): LightGBMParams {
  const result = lightgbmParamsSchema.safeParse(params);
  if (!result.success) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `Invalid LightGBM parameters: ${z.prettifyError(result.error)}`,
      { cause: result.error },
    );
  }
  return result.data;
}

/**
 * Serialises parameters to LightGBM's `key=value` string, lists comma-separated.
 *
 * @example
 * ```ts
 * import { paramsToString } from "./params.ts";
 * console.assert(paramsToString({ metric: ["auc", "binary_logloss"], verbosity: -1 }) ===
 *   "metric=auc,binary_logloss verbosity=-1");
 * ```
 */
export function paramsToString(params: LightGBMParams): string {
  const pairs: string[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined || raw === null) continue;
    const text = Array.isArray(raw) ? raw.map(String).join(",") : String(raw);
    if (/[\s=]/.test(text) || /[\s=]/.test(key)) {
      throw new RiskTrainError(
        "CONFIG_INVALID",
        `LightGBM parameter ${key} holds whitespace or '=': ${JSON.stringify(text)}`,
      );
    }
    pairs.push(`${key}=${text}`);
  }
  return pairs.join(" ");
}
