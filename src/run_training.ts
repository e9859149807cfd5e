/**
 * The orchestrator: extract -> buildFeatures -> train -> save, the way the command line
 * runs them. It checks for cancellation between stages (train also inside its boosting
 * loop) and skips the work when a model for the same configuration and data exists.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { throwIfAborted } from "./errors.ts";
import { extract } from "./extract/extract.ts";
import { buildFeatures } from "./features/build_features.ts";
import {
  DatabaseSchema,
  IsoDateSchema,
  MAX_FOLDS,
  MAX_TRIALS,
  ModelTypeSchema,
  NetworkSchema,
  parseOptions,
} from "./options.ts";
import { DEFAULT_OUTPUT_DIR, findExisting, list, load } from "./storage/registry.ts";
import { reportArtifacts } from "./report/report_artifacts.ts";
import { prepareOutputDir } from "./storage/output_dir.ts";
import { ensureRegistered } from "./storage/registry_row.ts";
import { REGISTRY_LOCK_FILE, save } from "./storage/save.ts";
import { CLAIMS_DIR, claimTraining } from "./storage/training_claim.ts";
import { train } from "./train/train.ts";
import { CALIBRATION_METHODS, type CalibrationMethod } from "./metrics/calibration_fit.ts";
import { CV_SCHEMES, type CvScheme } from "./train/cv_folds.ts";
import type { PreviousModel, TrainOptions, TrainProgress } from "./train/train_options.ts";
import { trainingKey } from "./train/training_key.ts";
import type { ClickHouse, ExtractProgress, ModelType, RegistryEntry } from "./types.ts";

const logger = getLogger(["risktrain", "run"]);

/** The zod schema of {@linkcode RunTrainingOptions}; fills the defaults. */
export const RunTrainingOptionsSchema = z.object({
  /** Lowercase network identifier. */
  network: NetworkSchema,
  /** Database to read; defaults to `risk_scoring_<network>`. */
  database: DatabaseSchema.optional(),
  /** First processing_date, inclusive. */
  startDate: IsoDateSchema,
  /** Last processing_date, inclusive. */
  endDate: IsoDateSchema,
  /** window_days to train on; required when the range holds several. */
  windowDays: z.int().min(1).max(65535).optional(),
  /** Look-back of the alert-history features in days (default 30). */
  historyDays: z.int().min(1).max(3650).optional(),
  /** The model type. */
  modelType: ModelTypeSchema,
  /** Where models are written. */
  outputDir: z.string().min(1).default(DEFAULT_OUTPUT_DIR),
  /** Hyperparameter search trials; 0 trains the defaults. */
  trials: z.int().min(0).max(MAX_TRIALS).default(20),
  /** Cross-validation folds. */
  folds: z.int().min(2).max(MAX_FOLDS).default(5),
  /** Seed of every random choice. */
  seed: z.int().min(0).max(0xffffffff).default(42),
  /** Share of the labelled rows held out for testing, whole days from the latest. */
  testFraction: z.number().gt(0).lt(1).optional(),
  /** First processing_date of the test set; overrides testFraction. */
  testStartDate: IsoDateSchema.optional(),
  /** Cross-validation scheme. */
  cv: z.enum(CV_SCHEMES).optional(),
  /** Gap of the time-ordered folds in days. */
  cvGapDays: z.int().min(0).optional(),
  /** Alerts an investigator works per processing date. */
  alertBudget: z.int().min(1).optional(),
  /** Calibration of the scorers. */
  calibration: z.enum(CALIBRATION_METHODS).optional(),
  /** Save a model no better than its baseline, marked weak. */
  allowWeak: z.boolean().default(false),
  /** Train even when a model for the same configuration and data exists. */
  force: z.boolean().default(false),
  /** Parallel WebAssembly workers (default: as many as cores). */
  workers: z.int().min(1).optional(),
  /** The directory writes must stay in (default: outputDir). */
  allowedDir: z.string().min(1).optional(),
}).strict().refine((options) => options.startDate <= options.endDate, {
  message: "startDate must not be after endDate",
  path: ["endDate"],
});

/** {@linkcode runTraining}'s options as a caller writes them (defaults in brackets). */
export interface RunTrainingOptions {
  /** Lowercase network identifier. */
  network: string;
  /** Database to read [`risk_scoring_<network>`]. */
  database?: string;
  /** First processing_date, inclusive, `YYYY-MM-DD`. */
  startDate: string;
  /** Last processing_date, inclusive, `YYYY-MM-DD`. */
  endDate: string;
  /** window_days to train on; required when the range holds several. */
  windowDays?: number;
  /** Look-back of the alert-history features in days (default 30, kept in the metadata). */
  historyDays?: number;
  /** The model type. */
  modelType: ModelType;
  /** Where models are written [`trained_models`]. */
  outputDir?: string;
  /** Hyperparameter search trials; 0 trains the defaults [20]. */
  trials?: number;
  /** Cross-validation folds [5]. */
  folds?: number;
  /** Seed of every random choice [42]. */
  seed?: number;
  /** Share of the labelled rows held out for testing, whole days from the latest [0.2]. */
  testFraction?: number;
  /** First processing_date of the test set, `YYYY-MM-DD`; overrides testFraction. */
  testStartDate?: string;
  /** Cross-validation scheme: time, stratified or grouped [time]. */
  cv?: CvScheme;
  /** Days between a time-ordered fold's fitting dates and its validation block [0]. */
  cvGapDays?: number;
  /** Alerts an investigator works per processing date, for precision@k [100]. */
  alertBudget?: number;
  /** Calibration of the scorers: isotonic, platt or none [isotonic]. */
  calibration?: CalibrationMethod;
  /** Save a model no better than its baseline, marked weak, instead of NO_SIGNAL [false]. */
  allowWeak?: boolean;
  /** Train even when a model for the same configuration and data exists [false]. */
  force?: boolean;
  /** Parallel WebAssembly workers [as many as cores]. */
  workers?: number;
  /** The directory writes must stay in: outputDir's real path must lie inside it [outputDir]. */
  allowedDir?: string;
}

/** Progress of a run: rows extracted so far, then training progress. */
export type RunProgress =
  | { phase: "extract"; progress: ExtractProgress }
  | { phase: "train"; progress: TrainProgress };

/** Callbacks and cancellation of {@linkcode runTraining}. */
export interface RunTrainingControl {
  /** Stops the run between stages and inside the boosting loop. */
  signal?: AbortSignal;
  /** Called as the run progresses. */
  onProgress?: (progress: RunProgress) => void;
}

/** What {@linkcode runTraining} did: trained and saved a model, or found one already there. */
export interface RunTrainingResult {
  /** `trained`, or `skipped` when a model for the same configuration and data existed. */
  status: "trained" | "skipped";
  /** The saved (or existing) model. */
  model: RegistryEntry;
  /** Wall-clock milliseconds of the whole run. */
  milliseconds: number;
}

/**
 * Extracts a date range of a network, builds its feature matrix, trains a model and saves
 * it (files, then the `trained_models` row), unless a model for the same configuration and
 * data fingerprint already exists (`force` trains anyway). Two identical runs at once
 * produce one model: the second waits for the first and then finds its model.
 *
 * @example
 * ```ts ignore
 * import { openClickHouse, runTraining } from "../mod.ts";
 * await using ch = await openClickHouse({ dataDir: ".risktrain/chdb" });
 * const result = await runTraining(ch, {
 *   network: "demo",
 *   startDate: "2024-01-01",
 *   endDate: "2024-02-29",
 *   modelType: "alert_scorer",
 * });
 * console.log(result.status, result.model.modelPath);
 * ```
 */
export async function runTraining(
  ch: ClickHouse,
  options: RunTrainingOptions,
  control: RunTrainingControl = {},
): Promise<RunTrainingResult> {
  const opts = parseOptions(RunTrainingOptionsSchema, options, "training options");
  const { signal, onProgress } = control;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  logger.info("Extracting {network} from {startDate} to {endDate}", {
    network: opts.network,
    startDate: opts.startDate,
    endDate: opts.endDate,
    windowDays: opts.windowDays,
  });
  const data = await extract(ch, {
    network: opts.network,
    database: opts.database,
    startDate: opts.startDate,
    endDate: opts.endDate,
    windowDays: opts.windowDays,
    historyDays: opts.historyDays,
  }, { signal, onProgress: (progress) => onProgress?.({ phase: "extract", progress }) });
  throwIfAborted(signal);

  logger.info("Building {modelType} features from {alerts} alerts", {
    modelType: opts.modelType,
    alerts: data.alerts.numRows,
  });
  const matrix = buildFeatures(data, { modelType: opts.modelType });
  throwIfAborted(signal);

  const trainOptions: TrainOptions = {
    modelType: opts.modelType,
    trials: opts.trials,
    folds: opts.folds,
    seed: opts.seed,
    testFraction: opts.testFraction,
    testStartDate: opts.testStartDate,
    cv: opts.cv,
    cvGapDays: opts.cvGapDays,
    alertBudget: opts.alertBudget,
    calibration: opts.calibration,
    allowWeak: opts.allowWeak,
    workers: opts.workers,
    signal,
    onProgress: (progress) => onProgress?.({ phase: "train", progress }),
  };
  const key = await trainingKey(matrix, trainOptions);
  const database = data.provenance.database;
  const existing = opts.force ? null : await findExisting(key, { outputDir: opts.outputDir });
  if (existing) return await skipped(ch, database, existing, elapsed(), signal);

  await prepareOutputDir(opts.outputDir, {
    allowedDir: opts.allowedDir,
    entries: [REGISTRY_LOCK_FILE, CLAIMS_DIR],
  });
  await using _claim = await claimTraining(key, { outputDir: opts.outputDir, signal });
  // An identical run may have finished while this one waited for the claim.
  const finished = opts.force ? null : await findExisting(key, { outputDir: opts.outputDir });
  if (finished) return await skipped(ch, database, finished, elapsed(), signal);

  logger.info("Training {modelType} on {rows} rows x {features} features", {
    modelType: opts.modelType,
    rows: matrix.numRows,
    features: matrix.numFeatures,
    trials: opts.trials,
    folds: opts.folds,
  });
  const previous = await previousModel(
    opts.outputDir,
    data.provenance.network,
    opts.modelType,
    data.provenance.windowDays,
  );
  const model = await train(matrix, { ...trainOptions, previous });
  throwIfAborted(signal);
  const saved = await save(model, {
    outputDir: opts.outputDir,
    clickhouse: ch,
    database,
    signal,
    allowedDir: opts.allowedDir,
  }, reportArtifacts(model.evaluation ?? null));
  logger.info("Saved {modelType} version {version} to {path}", {
    modelType: opts.modelType,
    version: saved.version,
    path: saved.modelPath,
  });
  return {
    status: "trained",
    model: {
      metadata: saved.metadata,
      modelPath: saved.modelPath,
      metadataPath: saved.metadataPath,
    },
    milliseconds: elapsed(),
  };
}

/** The newest saved model of the network, model type and window, or undefined. */
async function previousModel(
  outputDir: string,
  network: string,
  modelType: ModelType,
  windowDays: number,
): Promise<PreviousModel | undefined> {
  let entries: RegistryEntry[];
  try {
    entries = await list({ outputDir, network, modelType });
  } catch (error) {
    // No model directory yet: no previous model.
    if (error instanceof Error && "code" in error && error.code === "STORAGE") {
      try {
        await Deno.stat(outputDir);
      } catch (missing) {
        if (missing instanceof Deno.errors.NotFound) return undefined;
      }
    }
    throw error;
  }
  const last = entries.filter((e) => e.metadata.window_days === windowDays).at(-1);
  if (!last) return undefined;
  const loaded = await load(last.metadataPath);
  logger.info("Comparing with the previous model {modelId}", { modelId: loaded.metadata.model_id });
  return {
    modelId: loaded.metadata.model_id,
    modelText: loaded.modelText,
    featureNames: loaded.metadata.feature_names,
    categorical: loaded.metadata.categorical_features,
  };
}

/**
 * The result of a run that found its model: the model was verified by findExisting; its
 * `trained_models` row is inserted when missing (the files are the truth).
 */
async function skipped(
  ch: ClickHouse,
  database: string,
  model: RegistryEntry,
  milliseconds: number,
  signal?: AbortSignal,
): Promise<RunTrainingResult> {
  logger.info("A model for this configuration and data exists already: {path}", {
    path: model.modelPath,
  });
  const modelPath = await Deno.realPath(model.modelPath);
  if (await ensureRegistered(ch, database, model.metadata, modelPath, { signal })) {
    logger.info("Registered the existing model {modelId} in {database}.trained_models", {
      modelId: model.metadata.model_id,
      database,
    });
  }
  return { status: "skipped", model, milliseconds };
}
