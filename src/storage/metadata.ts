/**
 * The metadata written beside every model (`<stem>.json`): the fields of DATA_CONTRACT.md's
 * "Model artifacts" plus window, seed, data fingerprint, versions, timings, feature
 * importance, split dates, threshold and category dictionaries.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { IsoDateSchema, ModelTypeSchema, NetworkSchema } from "../options.ts";
import type { Calibration, ModelType } from "../types.ts";

const FiniteOrNull = z.number().nullable();

/** A model's metadata, as written to `<stem>.json`. */
export interface ModelMetadata {
  /**
   * Registry id: `<network>_<model_type>_v<version>_<dir>`, `<dir>` the first 8 hex digits
   * of the SHA-256 of the output directory's real path (unique across the directories that
   * share a `trained_models` table); older models lack the `_<dir>` suffix.
   */
  model_id: string;
  /** The model type. */
  model_type: ModelType;
  /** Version within (network, model_type) and output directory, "1" to "999999999". */
  version: string;
  /** When the model was saved, ISO 8601 UTC. */
  timestamp: string;
  /** Network of the training data. */
  network: string;
  /** Database the data came from. */
  database: string;
  /** window_days of the training data. */
  window_days: number;
  /**
   * Look-back of the alert-history features in days; scoring extracts with the same one.
   * Absent in metadata written before it existed (such models cannot be scored).
   */
  history_days?: number;
  /** The library that trained the model, for the origin project's loader: always LightGBM. */
  model_trainer?: "LightGBM";
  /**
   * Optional raw_features columns of the contract the source lacked, whose features the
   * model therefore does not have. Absent in metadata written before it was recorded.
   */
  missing_feature_columns?: string[];
  /** The extracted date range, `YYYY-MM-DD`. */
  training_period: { start_date: string; end_date: string };
  /** The time split: dates and labelled row counts of each side. */
  split: {
    train_start_date: string;
    train_end_date: string;
    test_start_date: string;
    test_end_date: string;
    train_rows: number;
    test_rows: number;
  };
  /** Labelled rows, features and positive share of the data. */
  data_stats: { num_samples: number; num_features: number; positive_rate: number };
  /** Test and cross-validation metrics by name; null where not defined. */
  metrics: Record<string, number | null>;
  /** LightGBM parameters of the final model. */
  hyperparameters: Record<string, unknown>;
  /** Feature names in column order. */
  feature_names: string[];
  /** Categorical features and their dictionaries: code i stands for categories[i]. */
  categorical_features: { index: number; name: string; categories: string[] }[];
  /** Trees in the model. */
  num_trees: number;
  /** Score threshold maximising out-of-fold F1 (scorers); null for the ranker. */
  threshold: number | null;
  /** Seed of every random choice. */
  seed: number;
  /** Fingerprint of the extracted data. */
  data_fingerprint: string;
  /** SHA-256 of the training configuration (see `trainingKey`). */
  config_hash: string;
  /** LightGBM version that trained the model. */
  lightgbm_version: string;
  /** risktrain version that trained the model. */
  toolkit_version: string;
  /** Durations in milliseconds by stage. */
  timings_ms: Record<string, number>;
  /** Feature importance by split count and gain. */
  feature_importance: { name: string; split: number; gain: number }[];
  /** Base name of the LightGBM text model, in the metadata's directory. */
  model_file: string;
  /** SHA-256 (hex) of the model file. */
  model_sha256: string;
  /** The calibration map fitted on out-of-fold predictions (scorers), as plain numbers. */
  calibration?: Calibration;
  /** True when the model is no better than its baseline and was saved with --allow-weak. */
  weak?: boolean;
  /** The previous model of the same network, type and window, scored on this test window. */
  comparison?: Record<string, unknown>;
  /**
   * Everything else train() recorded (search history, class imbalance decision, fold
   * dates, per-date metrics and bootstrap intervals under `evaluation`, ...).
   */
  details: Record<string, unknown>;
}

const metadataShape = z.object({
  model_id: z.string().min(1),
  model_type: ModelTypeSchema,
  version: z.string().regex(/^[1-9]\d{0,8}$/, "Expected a version from 1 to 999999999"),
  timestamp: z.iso.datetime(),
  network: NetworkSchema,
  database: z.string().min(1),
  window_days: z.int().min(1).max(65535),
  history_days: z.int().min(1).max(3650).optional(),
  model_trainer: z.literal("LightGBM").optional(),
  missing_feature_columns: z.array(z.string().min(1)).optional(),
  training_period: z.object({ start_date: IsoDateSchema, end_date: IsoDateSchema }),
  split: z.object({
    train_start_date: IsoDateSchema,
    train_end_date: IsoDateSchema,
    test_start_date: IsoDateSchema,
    test_end_date: IsoDateSchema,
    train_rows: z.int().min(1),
    test_rows: z.int().min(1),
  }),
  data_stats: z.object({
    num_samples: z.int().min(0),
    num_features: z.int().min(1),
    positive_rate: z.number().min(0).max(1),
  }),
  metrics: z.record(z.string(), FiniteOrNull),
  hyperparameters: z.record(z.string(), z.unknown()),
  feature_names: z.array(z.string()).min(1),
  categorical_features: z.array(z.object({
    index: z.int().min(0),
    name: z.string(),
    categories: z.array(z.string()),
  })),
  num_trees: z.int().min(0),
  threshold: FiniteOrNull,
  seed: z.int().min(0),
  data_fingerprint: z.string().min(1),
  config_hash: z.string().regex(/^[0-9a-f]{64}$/),
  lightgbm_version: z.string().min(1),
  toolkit_version: z.string().min(1),
  timings_ms: z.record(z.string(), z.number().min(0)),
  feature_importance: z.array(z.object({ name: z.string(), split: z.number(), gain: z.number() })),
  model_file: z.string().regex(
    /^[^/\\.][^/\\]*\.txt$/,
    "Expected the base name of a .txt file in the same directory",
  ),
  model_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  calibration: z.discriminatedUnion("method", [
    z.object({
      method: z.literal("isotonic"),
      x: z.array(z.number()).min(1),
      y: z.array(z.number()).min(1),
    }),
    z.object({ method: z.literal("platt"), a: z.number(), b: z.number() }),
  ]).optional(),
  weak: z.boolean().optional(),
  comparison: z.record(z.string(), z.unknown()).optional(),
  details: z.record(z.string(), z.unknown()),
});

/** The zod schema of {@linkcode ModelMetadata}. */
export const ModelMetadataSchema: z.ZodType<ModelMetadata> = metadataShape;

/**
 * The facts `save` takes from `TrainedModel.details`; `train` writes them and `save`
 * refuses a model without them.
 */
export const TrainedDetailsSchema = z.object({
  seed: z.int().min(0),
  config_hash: z.string().regex(/^[0-9a-f]{64}$/),
  lightgbm_version: z.string().min(1),
  threshold: FiniteOrNull,
  timings_ms: z.record(z.string(), z.number().min(0)),
  split: metadataShape.shape.split,
  weak: z.boolean().optional(),
  comparison: z.record(z.string(), z.unknown()).optional(),
}).loose();
