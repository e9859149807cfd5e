/**
 * The LightGBM parameters of a training: objective and metric by model type, the class
 * imbalance decision, and the fixed settings that make runs reproducible.
 *
 * @module
 */
import type { LightGBMParams } from "../lightgbm/mod.ts";
import type { ModelType } from "../types.ts";
import type { Hyperparameters } from "./search_space.ts";

/** The NDCG cut-off the ranker's cross-validation and early stopping use. */
export const RANKER_CV_AT = 10;

/** How class imbalance was handled, as recorded in the model's details. */
export interface ImbalanceDecision {
  /** What was done. */
  strategy: "scale_pos_weight" | "none" | "not_applicable";
  /** Weighted share of positive training rows (scorers). */
  positive_rate?: number;
  /** Weighted negatives over weighted positives, when applied. */
  scale_pos_weight?: number;
  /** Why. */
  reason: string;
}

/** Objective and evaluation metric of a model type. */
export function objectiveParams(modelType: ModelType): LightGBMParams {
  return modelType === "alert_ranker"
    ? { objective: "lambdarank", metric: "ndcg", eval_at: [RANKER_CV_AT] }
    : { objective: "binary", metric: "auc" };
}

/** The name of the cross-validation metric: `auc`, or `ndcg@10` for the ranker. */
export function cvMetricName(modelType: ModelType): string {
  return modelType === "alert_ranker" ? `ndcg@${RANKER_CV_AT}` : "auc";
}

/**
 * Decides the class weighting of a scorer from its training rows: `scale_pos_weight` set to
 * weighted negatives over positives when asked, or with `auto` when the minority class is
 * under 10% of the weight; never for the ranker.
 */
export function imbalanceDecision(
  modelType: ModelType,
  label: Float32Array,
  weight: Float32Array | null,
  rows: Uint32Array,
  mode: "auto" | "scale_pos_weight" | "none",
): ImbalanceDecision {
  if (modelType === "alert_ranker") {
    return { strategy: "not_applicable", reason: "lambdarank learns from relevance grades" };
  }
  let positive = 0, total = 0;
  for (const i of rows) {
    const w = weight ? weight[i] : 1;
    total += w;
    if (label[i] > 0) positive += w;
  }
  const positive_rate = positive / total;
  const ratio = (total - positive) / positive;
  const minority = Math.min(positive_rate, 1 - positive_rate);
  if (mode === "none" || (mode === "auto" && minority >= 0.1)) {
    return {
      strategy: "none",
      positive_rate,
      reason: mode === "none"
        ? "disabled by option"
        : "minority class holds at least 10% of the weight",
    };
  }
  return {
    strategy: "scale_pos_weight",
    positive_rate,
    scale_pos_weight: ratio,
    reason: mode === "auto"
      ? "minority class holds under 10% of the weight"
      : "requested by option",
  };
}

/**
 * The full LightGBM parameters of one training: objective, hyperparameters, class weight,
 * and settings for reproducibility (fixed seed, deterministic row-wise histograms, one
 * thread per worker, no feature pre-filter so that datasets can be reused across trials).
 */
export function lightgbmParams(
  modelType: ModelType,
  hyperparameters: Hyperparameters,
  imbalance: ImbalanceDecision,
  seed: number,
): LightGBMParams {
  return {
    ...objectiveParams(modelType),
    ...hyperparameters,
    ...(imbalance.scale_pos_weight === undefined
      ? {}
      : { scale_pos_weight: imbalance.scale_pos_weight }),
    seed,
    deterministic: true,
    force_row_wise: true,
    num_threads: 1,
    feature_pre_filter: false,
    verbosity: -1,
  };
}
