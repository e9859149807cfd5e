/**
 * The metadata written beside every model (`<stem>.json`): the fields of DATA_CONTRACT.md's
 * "Model artifacts" plus window, seed, data fingerprint, versions, timings, feature
 * importance, split dates, threshold and category dictionaries.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { IsoDateSchema, ModelTypeSchema, NetworkSchema } from "../options.ts";
import type { ModelMetadata } from "../types.ts";

const FiniteOrNull = z.number().nullable();

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
