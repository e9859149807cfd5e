/**
 * `save`: writes a trained model's artifacts atomically under the next version, then
 * registers it in `trained_models`.
 *
 * @module
 */
import { basename, join } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import denoConfig from "../../deno.json" with { type: "json" };
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import type {
  ClickHouse,
  ModelMetadata,
  ReportArtifacts,
  SavedModel,
  TrainedModel,
} from "../types.ts";
import { acquireLock } from "../file_lock.ts";
import { commitFiles, discardFiles, type StagedFile, stageFile } from "./_files.ts";
import { sha256Hex } from "./_sha256.ts";
import {
  artifactStem,
  evaluationFileName,
  parseArtifactName,
  reportFileName,
} from "./artifact_names.ts";
import { ModelMetadataSchema, TrainedDetailsSchema } from "./metadata.ts";
import { prepareOutputDir } from "./output_dir.ts";
import { DEFAULT_OUTPUT_DIR, inspectModels } from "./registry.ts";
import { CLAIMS_DIR } from "./training_claim.ts";
import { directoryTag, registerModel } from "./registry_row.ts";

const logger = getLogger(["risktrain", "storage"]);

const MAX_VERSION = 999_999_999;
/** `stageFile`'s names: `.<artifact name>.<uuid>.tmp`. */
const STAGING_NAME =
  /^\.(?:alert_scorer|alert_ranker|cluster_scorer)_v\d+_\d{8}_\d{6}\.[a-z.]+\.[0-9a-f-]{36}\.tmp$/;
/** A model's files besides its metadata: `<stem>.txt`, `.evaluation.json.gz`, `.html`. */
const COMPANION_NAME =
  /^((?:alert_scorer|alert_ranker|cluster_scorer)_v\d+_\d{8}_\d{6})\.(?:txt|evaluation\.json\.gz|html)$/;

/** The name of the lock file that serialises version allocation in an output directory. */
export const REGISTRY_LOCK_FILE = ".registry.lock";

/** Options of {@linkcode save}. */
export interface SaveOptions {
  /** Directory of the artifacts (created when missing; default `trained_models`). */
  outputDir?: string;
  /** When given, the model's row is inserted into `trained_models` once the files are durable. */
  clickhouse?: ClickHouse;
  /** Database of `trained_models` (default: the database the data came from). */
  database?: string;
  /** Cancels the save before anything becomes visible. */
  signal?: AbortSignal;
  /**
   * The directory writes must stay in (default `outputDir`): the output directory's real
   * path, symbolic links followed, must lie inside it.
   */
  allowedDir?: string;
}

/** The zod schema of {@linkcode SaveOptions}; fills the default output directory. */
export const SaveOptionsSchema: z.ZodType<SaveOptions & { outputDir: string }, SaveOptions> = z
  .object({
    outputDir: z.string().min(1).default(DEFAULT_OUTPUT_DIR),
    clickhouse: z.custom<ClickHouse>((value) =>
      typeof value === "object" && value !== null && "insert" in value
    ).optional(),
    database: z.string().min(1).optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
    allowedDir: z.string().min(1).optional(),
  }).strict();

/** The saved model's paths and its metadata. */
export interface SavedModelWithMetadata extends SavedModel {
  /** The metadata written beside the model. */
  metadata: ModelMetadata;
  /** Path of the HTML report written beside the model. */
  reportPath: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** A stem no file uses yet: when one second saw two saves, waits for the next second. */
async function freshStem(dir: string, modelType: TrainedModel["modelType"], version: number) {
  for (;;) {
    const now = new Date();
    const stem = artifactStem(modelType, version, now);
    if (!await exists(join(dir, `${stem}.txt`)) && !await exists(join(dir, `${stem}.json`))) {
      return { stem, now };
    }
    await new Promise((done) => setTimeout(done, 1000 - now.getMilliseconds()));
  }
}

/**
 * The highest version of (model type, network) in `dir`, counting broken models too (by
 * their metadata, or when that is unreadable by their file name, whatever the network).
 */
async function lastVersion(dir: string, model: TrainedModel): Promise<number> {
  const { intact, broken } = await inspectModels(dir);
  let last = 0;
  for (const { metadata } of intact) {
    if (metadata.model_type === model.modelType && metadata.network === model.provenance.network) {
      last = Math.max(last, Number(metadata.version));
    }
  }
  for (const { metadataPath, metadata } of broken) {
    const name = parseArtifactName(basename(metadataPath));
    if (metadata && metadata.network !== model.provenance.network) continue;
    if (name?.modelType === model.modelType && name.version < MAX_VERSION) {
      last = Math.max(last, name.version);
    }
  }
  return last;
}

/**
 * Removes what a killed save left (callers hold the registry lock, so no save is under
 * way): hidden staging files, and a model's `.txt`, `.evaluation.json.gz` or `.html` renamed
 * into place whose `.json` (renamed last) never was.
 */
async function removeStaleStaging(dir: string): Promise<void> {
  const names = new Set<string>();
  for await (const item of Deno.readDir(dir)) if (item.isFile) names.add(item.name);
  for (const name of names) {
    const stem = COMPANION_NAME.exec(name)?.[1];
    const orphan = stem !== undefined && !names.has(`${stem}.json`);
    if (STAGING_NAME.test(name) || orphan) {
      await Deno.remove(join(dir, name)).catch(() => {});
      logger.info("Removed a file an interrupted save left: {name}", { name });
    }
  }
}

function buildMetadata(
  model: TrainedModel,
  version: number,
  stem: string,
  now: Date,
  modelSha256: string,
  tag: string,
): ModelMetadata {
  const parsed = TrainedDetailsSchema.safeParse(model.details);
  if (!parsed.success) {
    throw new RiskTrainError(
      "DATA_INVALID",
      `The trained model lacks details save() needs: ${
        z.prettifyError(parsed.error).replaceAll("\n", " ")
      }`,
    );
  }
  const {
    seed,
    config_hash,
    lightgbm_version,
    threshold,
    timings_ms,
    split,
    weak,
    comparison,
    ...details
  } = parsed.data;
  const p = model.provenance;
  const metrics = Object.fromEntries(
    Object.entries(model.metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]),
  );
  const metadata = ModelMetadataSchema.safeParse({
    model_id: `${p.network}_${model.modelType}_v${version}_${tag}`,
    model_type: model.modelType,
    version: String(version),
    timestamp: now.toISOString(),
    network: p.network,
    database: p.database,
    window_days: p.windowDays,
    history_days: p.historyDays,
    model_trainer: "LightGBM",
    missing_feature_columns: [...p.missingFeatureColumns],
    training_period: { start_date: p.startDate, end_date: p.endDate },
    split,
    data_stats: {
      num_samples: model.dataStats.numSamples,
      num_features: model.dataStats.numFeatures,
      positive_rate: model.dataStats.positiveRate,
    },
    metrics,
    hyperparameters: model.hyperparameters,
    feature_names: [...model.featureNames],
    categorical_features: model.categorical.map((c) => ({ ...c, categories: [...c.categories] })),
    num_trees: model.numTrees,
    threshold,
    seed,
    data_fingerprint: p.fingerprint,
    config_hash,
    lightgbm_version,
    toolkit_version: denoConfig.version,
    timings_ms,
    feature_importance: model.featureImportance.map((f) => ({ ...f })),
    model_file: `${stem}.txt`,
    model_sha256: modelSha256,
    ...(model.calibration ? { calibration: model.calibration } : {}),
    ...(weak !== undefined ? { weak } : {}),
    ...(comparison !== undefined ? { comparison } : {}),
    details,
  });
  if (!metadata.success) {
    throw new RiskTrainError(
      "DATA_INVALID",
      `The model's metadata does not match the schema: ${
        z.prettifyError(metadata.error).replaceAll("\n", " ")
      }`,
    );
  }
  return metadata.data;
}

/**
 * Saves a trained model's artifacts atomically under the next version (the `.txt`, then the
 * `report` files made from its metadata, the `.json` last) and registers it when
 * `clickhouse` is given. The public `save` (src/notebook.ts) passes the report stage's files.
 */
export async function save(
  model: TrainedModel,
  options: SaveOptions,
  report: (metadata: ModelMetadata) => ReportArtifacts,
): Promise<SavedModelWithMetadata> {
  const { outputDir, clickhouse, database, signal, allowedDir } = SaveOptionsSchema.parse(options);
  throwIfAborted(signal);
  const realDir = await prepareOutputDir(outputDir, {
    allowedDir,
    entries: [REGISTRY_LOCK_FILE, CLAIMS_DIR],
  });
  const tag = await directoryTag(realDir);
  const modelBytes = new TextEncoder().encode(model.modelText);
  const modelSha256 = await sha256Hex(modelBytes);
  let saved: SavedModelWithMetadata;
  {
    await using _lock = await acquireLock(join(outputDir, REGISTRY_LOCK_FILE), { signal });
    await removeStaleStaging(outputDir);
    const version = await lastVersion(outputDir, model) + 1;
    const { stem, now } = await freshStem(outputDir, model.modelType, version);
    const metadata = buildMetadata(model, version, stem, now, modelSha256, tag);
    const modelPath = join(outputDir, `${stem}.txt`);
    const metadataPath = join(outputDir, `${stem}.json`);
    const reportPath = join(outputDir, reportFileName(stem));
    const staged: StagedFile[] = [];
    try {
      staged.push(await stageFile(modelPath, modelBytes));
      const { html, evaluation } = report(metadata);
      if (evaluation) {
        staged.push(await stageFile(join(outputDir, evaluationFileName(stem)), evaluation));
      }
      staged.push(await stageFile(reportPath, new TextEncoder().encode(html)));
      const json = new TextEncoder().encode(JSON.stringify(metadata, null, 2) + "\n");
      staged.push(await stageFile(metadataPath, json));
      throwIfAborted(signal);
      await commitFiles(outputDir, staged);
    } catch (error) {
      await discardFiles(staged);
      throw error;
    }
    saved = {
      modelId: metadata.model_id,
      version: metadata.version,
      modelPath,
      metadataPath,
      reportPath,
      metadata,
    };
  }
  logger.info("Saved model {modelId} to {modelPath}", {
    modelId: saved.modelId,
    modelPath: saved.modelPath,
  });
  if (clickhouse) {
    const target = database ?? model.provenance.database;
    try {
      await registerModel(
        clickhouse,
        target,
        saved.metadata,
        join(realDir, basename(saved.modelPath)),
        {
          signal,
        },
      );
    } catch (error) {
      throw new RiskTrainError(
        error instanceof RiskTrainError ? error.code : "CLICKHOUSE_QUERY",
        `Model saved to ${saved.modelPath} but not registered in ${target}.trained_models: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error, clickhouseCode: (error as RiskTrainError).clickhouseCode },
      );
    }
    logger.info("Registered model {modelId} in {database}.trained_models", {
      modelId: saved.modelId,
      database: target,
    });
  }
  return saved;
}
