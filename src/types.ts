/**
 * The data types the stages meet through. No stage imports another stage: each takes and
 * returns these types only.
 *
 * ```
 * extract(source, query)        -> ExtractedData
 * buildFeatures(data, options)  -> FeatureMatrix
 * train(matrix, options)        -> TrainedModel
 * save(model, options)          -> SavedModel
 * ```
 *
 * @module
 */
import type { RecordBatch, Table } from "npm:apache-arrow@21.2.0";

/** The three model types risktrain trains. */
export type ModelType = "alert_scorer" | "alert_ranker" | "cluster_scorer";

/** A value bound to a ClickHouse query parameter such as `{start:Date}`. */
export type QueryParamValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | readonly QueryParamValue[];

/** Query parameters by name: `{ start: "2024-01-01" }` binds `{start:Date}`. */
export type QueryParams = Readonly<Record<string, QueryParamValue>>;

/** Rows and bytes received so far by a streaming query. */
export interface QueryProgress {
  /** Rows received so far. */
  rows: number;
  /** Bytes of Arrow data received so far. */
  bytes: number;
}

/** Options of one ClickHouse statement. */
export interface StatementOptions {
  /** Values for `{name:Type}` placeholders; never spliced into the SQL text. */
  params?: QueryParams;
  /** ClickHouse settings for this statement only. */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** Stops the statement; the promise rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Called after each Arrow record batch arrives (queries only). */
  onProgress?: (progress: QueryProgress) => void;
}

/** Rows to insert: an Arrow table, or plain objects keyed by column name. */
export type InsertData = Table | readonly Readonly<Record<string, unknown>>[];

/**
 * One interface to ClickHouse, embedded (chDB in-process) or a server over HTTP.
 * Results are Arrow, read batch by batch.
 */
export interface ClickHouse extends AsyncDisposable {
  /** Which engine this is. */
  readonly kind: "embedded" | "server";
  /** The engine's version string, e.g. `26.7.2.1`. */
  version(): Promise<string>;
  /** Runs a statement that returns no rows (DDL, INSERT ... SELECT). */
  command(sql: string, options?: StatementOptions): Promise<void>;
  /** Runs a query and collects its result as one Arrow table. */
  query(sql: string, options?: StatementOptions): Promise<Table>;
  /** Runs a query and yields its result one Arrow record batch at a time. */
  stream(sql: string, options?: StatementOptions): AsyncIterable<RecordBatch>;
  /** Inserts rows into `table` (optionally `database.table` via `options.database`). */
  insert(
    table: string,
    data: InsertData,
    options?: { database?: string; signal?: AbortSignal },
  ): Promise<void>;
  /** Releases the connection. Idempotent. */
  close(): Promise<void>;
}

/** What to extract: one network's date range at one window. */
export interface ExtractQuery {
  /** Lowercase network identifier, e.g. `torus`. */
  network: string;
  /** Database to read; defaults to `risk_scoring_<network>`. */
  database?: string;
  /** First processing_date, inclusive, `YYYY-MM-DD`. */
  startDate: string;
  /** Last processing_date, inclusive, `YYYY-MM-DD`. */
  endDate: string;
  /** The window_days to train on; required when the range holds several. */
  windowDays?: number;
  /** Upper bound on alerts read (a seeded sample of a large range). */
  limit?: number;
  /** Seed of the sample `limit` draws (default 0): the same seed gives the same sample. */
  seed?: number;
  /**
   * Look-back of the alert-history features in days (default 30): an alert's history counts
   * the alerts of the `historyDays` before its date, read before the range start when needed,
   * so its features do not depend on the range. Training records it; scoring reuses it.
   */
  historyDays?: number;
}

/** Where a dataset came from, carried from extract to the saved model's metadata. */
export interface DataProvenance {
  /** Network identifier. */
  network: string;
  /** Database read. */
  database: string;
  /** First processing_date, `YYYY-MM-DD`. */
  startDate: string;
  /** Last processing_date, `YYYY-MM-DD`. */
  endDate: string;
  /** The window_days of every row. */
  windowDays: number;
  /** Look-back of the alert-history features in days. */
  historyDays: number;
  /** A hash of the extracted data, identifying it for skip-if-trained. */
  fingerprint: string;
  /**
   * Optional raw_features columns of the contract that the source lacks (their features are
   * left out of the matrix), in the contract's order.
   */
  missingFeatureColumns: readonly string[];
}

/** The result of `extract`: Arrow tables, one per source. */
export interface ExtractedData {
  /** Where the data came from. */
  provenance: DataProvenance;
  /** raw_alerts rows in the range (USD columns as Float64). */
  alerts: Table;
  /** raw_features rows of the alerted addresses (present feature columns only). */
  features: Table;
  /** raw_clusters rows in the range. */
  clusters: Table;
  /** Per-address money-flow aggregates computed in ClickHouse. */
  moneyFlows: Table;
  /** One row per alert: the address label as of the alert's processing_date. */
  labels: Table;
}

/** A categorical feature and its dictionary: code `i` stands for `categories[i]`. */
export interface CategoricalFeature {
  /** Column index in the matrix. */
  index: number;
  /** Feature name. */
  name: string;
  /** Category values in code order. */
  categories: readonly string[];
}

/**
 * A dense feature matrix for LightGBM, column-major: feature `j` of row `i` is
 * `data[j * numRows + i]`. NaN means missing.
 */
export interface FeatureMatrix {
  /** The model type the matrix was built for. */
  modelType: ModelType;
  /** Number of rows. */
  numRows: number;
  /** Number of features (columns). */
  numFeatures: number;
  /** Column-major values, `numRows * numFeatures` long. */
  data: Float32Array | Float64Array;
  /** Feature names in column order. */
  featureNames: readonly string[];
  /** Categorical features with their dictionaries (keep them for scoring). */
  categorical: readonly CategoricalFeature[];
  /** Label per row; NaN marks an unlabelled row (kept for scoring, not trained on). */
  label: Float32Array;
  /** Sample weight per row (label confidence), or null. */
  weight: Float32Array | null;
  /** Query group id per row (ranker), rows of one group contiguous; else null. */
  group: Int32Array | null;
  /** Row keys: alert_id or cluster_id. */
  ids: readonly string[];
  /**
   * The address of each row: the alert's address; a cluster's primary_address (its
   * representative alert's address when that is empty). `buildFeatures` always sets it;
   * `train` uses it for the seen/unseen-address split and the address-grouped folds.
   */
  addresses?: readonly string[];
  /** Row processing_date as days since 1970-01-01. */
  processingDates: Int32Array;
  /** Where the data came from. */
  provenance: DataProvenance;
}

/** A time-ordered fold's dates, as recorded in the metadata. */
export interface TimeFoldDates {
  /** First processing_date fitted on. */
  fit_start_date: string;
  /** Last processing_date fitted on. */
  fit_end_date: string;
  /** First processing_date validated. */
  valid_start_date: string;
  /** Last processing_date validated. */
  valid_end_date: string;
  /** Rows fitted on. */
  fit_rows: number;
  /** Rows validated. */
  valid_rows: number;
}

/** Evaluation figures of a trained model, by metric name (`test_auc`, `ndcg@10`, ...). */
export type ModelMetrics = Readonly<Record<string, number>>;

/**
 * A map from a binary model's predicted probability to a calibrated probability, stored
 * in the metadata as plain numbers. `isotonic`: linear interpolation through the points
 * `(x[i], y[i])` (x ascending), clipped to the end points, as scikit-learn's
 * `IsotonicRegression(out_of_bounds="clip")` predicts. `platt`: `1 / (1 + exp(-(a * r + b)))`
 * of the raw score `r = log(p / (1 - p))`.
 */
export type Calibration =
  | { method: "isotonic"; x: readonly number[]; y: readonly number[] }
  | { method: "platt"; a: number; b: number };

/**
 * What a model's report plots beyond its metadata, kept beside the model
 * (`<stem>.evaluation.json.gz`) so the report can be rebuilt without the data: the test rows'
 * scores, labels and dates, the training rows' labels, dates and out-of-fold scores, the
 * cross-validation curve of the chosen configuration, features found missing or constant,
 * and SHAP values of a seeded sample of test rows.
 */
export interface EvaluationData {
  /** Test rows: the final model's score, the label, the processing_date (days since 1970-01-01) and, for the ranker, the query group. */
  test: { score: Float32Array; label: Float32Array; date: Int32Array; group: Int32Array | null };
  /** Training rows: label, processing_date and the out-of-fold score (scorers; NaN where the row was never validated, e.g. the first dates under time-ordered folds; null for the ranker). */
  train: { label: Float32Array; date: Int32Array; outOfFold: Float32Array | null };
  /** The chosen configuration's cross-validated metric per iteration: mean and spread over the folds. */
  cvCurve: { metric: string; mean: Float64Array; std: Float64Array };
  /** Features that are missing on every labelled row, and features with one value on all of them. */
  featureChecks: { allMissing: readonly string[]; constant: readonly string[] };
  /**
   * SHAP contributions (LightGBM `contrib`) of `rows` sampled test rows: the mean |SHAP| of
   * every feature (column order), and for the `features` with the largest, row-major
   * `rows x features.length` SHAP values and feature values (NaN: missing).
   */
  shap: {
    rows: number;
    meanAbs: Float64Array;
    features: readonly string[];
    values: Float32Array;
    featureValues: Float32Array;
  } | null;
}

/** A trained model with everything `save` needs to write its artifacts. */
export interface TrainedModel {
  /** The model type. */
  modelType: ModelType;
  /** LightGBM's own text model format. */
  modelText: string;
  /** Feature names in column order. */
  featureNames: readonly string[];
  /** Categorical features with their dictionaries. */
  categorical: readonly CategoricalFeature[];
  /** The LightGBM parameters of the final model. */
  hyperparameters: Readonly<Record<string, unknown>>;
  /** Number of trees in the final model. */
  numTrees: number;
  /** Test and cross-validation metrics. */
  metrics: ModelMetrics;
  /** Row counts and label balance of the training data. */
  dataStats: { numSamples: number; numFeatures: number; positiveRate: number };
  /** Feature importance by split count and by gain. */
  featureImportance: readonly { name: string; split: number; gain: number }[];
  /** The calibration fitted on out-of-fold predictions (binary models), if any. */
  calibration?: Calibration;
  /** What the report plots beyond the metadata (absent for a model made elsewhere). */
  evaluation?: EvaluationData;
  /** Further facts for the metadata: split dates, threshold, seed, timings, ... */
  details: Readonly<Record<string, unknown>>;
  /** Where the training data came from. */
  provenance: DataProvenance;
}

/** A model written to disk and registered. */
export interface SavedModel {
  /** Registry id of the model. */
  modelId: string;
  /** Version string, e.g. `3`. */
  version: string;
  /** Path of the LightGBM text model. */
  modelPath: string;
  /** Path of the JSON metadata. */
  metadataPath: string;
}

/** One of the data contract's input tables. */
export type InputTable =
  | "raw_alerts"
  | "raw_features"
  | "raw_clusters"
  | "raw_money_flows"
  | "raw_address_labels";

/** Progress of an extraction: the table being read and the totals so far. */
export interface ExtractProgress {
  /** The table being read: alerts, features, moneyFlows or clusters. */
  table: string;
  /** Rows received so far, all tables together. */
  rows: number;
  /** Bytes of Arrow data received so far, all tables together. */
  bytes: number;
  /** Rows the extraction will receive, all tables together, as ClickHouse counted them first. */
  expectedRows: number;
}

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

/** A saved model's files and metadata. */
export interface RegistryEntry {
  /** The validated metadata. */
  metadata: ModelMetadata;
  /** Path of the LightGBM text model. */
  modelPath: string;
  /** Path of the metadata file. */
  metadataPath: string;
}

/** A saved model with its LightGBM text, checked against the metadata's checksum. */
export interface LoadedModel extends RegistryEntry {
  /** LightGBM's text model format. */
  modelText: string;
}

/**
 * What the report stage makes of a model's metadata for `save` to write beside the model:
 * the HTML report (`<stem>.html`) and, when the model carries evaluation data, its encoding
 * (`<stem>.evaluation.json.gz`).
 */
export interface ReportArtifacts {
  /** The HTML report. */
  html: string;
  /** The encoded evaluation data, or null when the model carries none. */
  evaluation: Uint8Array | null;
}
