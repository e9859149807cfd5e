/**
 * The metadata written beside every model (`<stem>.json`): the fields of DATA_CONTRACT.md's
 * "Model artifacts" plus window, seed, data fingerprint, versions, timings, feature
 * importance, split dates, threshold and category dictionaries.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { IsoDateSchema, ModelTypeSchema, NetworkSchema } from "../options.ts";

const FiniteOrNull = z.number().nullable();

/** The zod schema of a model's metadata file. */
export const ModelMetadataSchema = z.object({
  /** Registry id: `<network>_<model_type>_v<version>`. */
  model_id: z.string().min(1),
  /** The model type. */
  model_type: ModelTypeSchema,
  /** Version within (network, model_type), as a decimal string from "1". */
  version: z.string().regex(/^[1-9]\d*$/),
  /** When the model was saved, ISO 8601 UTC. */
  timestamp: z.iso.datetime(),
  /** Network of the training data. */
  network: NetworkSchema,
  /** Database the data came from. */
  database: z.string().min(1),
  /** window_days of the training data. */
  window_days: z.int().min(1).max(65535),
  /** The extracted date range. */
  training_period: z.object({ start_date: IsoDateSchema, end_date: IsoDateSchema }),
  /** The time split: dates and labelled row counts of each side. */
  split: z.object({
    train_start_date: IsoDateSchema,
    train_end_date: IsoDateSchema,
    test_start_date: IsoDateSchema,
    test_end_date: IsoDateSchema,
    train_rows: z.int().min(1),
    test_rows: z.int().min(1),
  }),
  /** Labelled rows, features and positive share of the training data. */
  data_stats: z.object({
    num_samples: z.int().min(0),
    num_features: z.int().min(1),
    positive_rate: z.number().min(0).max(1),
  }),
  /** Test and cross-validation metrics by name (`test_auc`, `cv_auc_mean`, `ndcg@10`, ...). */
  metrics: z.record(z.string(), FiniteOrNull),
  /** LightGBM parameters of the final model. */
  hyperparameters: z.record(z.string(), z.unknown()),
  /** Feature names in column order. */
  feature_names: z.array(z.string()).min(1),
  /** Categorical features and their dictionaries: code i stands for categories[i]. */
  categorical_features: z.array(z.object({
    index: z.int().min(0),
    name: z.string(),
    categories: z.array(z.string()),
  })),
  /** Trees in the model. */
  num_trees: z.int().min(0),
  /** Score threshold maximising validation F1 (scorers); null for the ranker. */
  threshold: FiniteOrNull,
  /** Seed of every random choice. */
  seed: z.int().min(0),
  /** Fingerprint of the extracted data. */
  data_fingerprint: z.string().min(1),
  /** SHA-256 of the training configuration (see `trainingKey`). */
  config_hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** LightGBM version that trained the model. */
  lightgbm_version: z.string().min(1),
  /** risktrain version that trained the model. */
  toolkit_version: z.string().min(1),
  /** Durations in milliseconds by stage. */
  timings_ms: z.record(z.string(), z.number().min(0)),
  /** Feature importance by split count and gain. */
  feature_importance: z.array(z.object({ name: z.string(), split: z.number(), gain: z.number() })),
  /** File name of the LightGBM text model beside this file. */
  model_file: z.string().regex(/\.txt$/),
  /** SHA-256 (hex) of the model file. */
  model_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Everything else train() recorded (search history, class imbalance decision, ...). */
  details: z.record(z.string(), z.unknown()),
});

/** A model's metadata. */
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

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
  split: ModelMetadataSchema.shape.split,
}).loose();
