/**
 * The model registry on disk: the complete models of an output directory (a model is
 * complete once its `.json` exists, written last), found by listing, by latest version,
 * or by training configuration. Files are the truth: a model counts only when its
 * metadata passes the schema and its `.txt` matches the metadata's SHA-256; paths in
 * metadata are base names inside the output directory.
 *
 * @module
 */
import { join } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import type { LoadedModel, ModelMetadata, ModelType, RegistryEntry } from "../types.ts";
import { parseArtifactName } from "./artifact_names.ts";
import { ModelMetadataSchema } from "./metadata.ts";
import { sha256Hex } from "./_sha256.ts";

const logger = getLogger(["risktrain", "storage"]);

/** The default output directory of models. */
export const DEFAULT_OUTPUT_DIR = "trained_models";

/** A model whose files are not intact, and why. */
export interface BrokenModel {
  /** Path of the metadata file. */
  metadataPath: string;
  /** What is wrong, one line. */
  reason: string;
  /** The error raised on reading it. */
  error: RiskTrainError;
  /** The metadata, when it passed the schema (the model file is what is wrong). */
  metadata?: ModelMetadata;
}

/** Every model of an output directory, sorted into intact and broken ones. */
export interface RegistryInspection {
  /** Intact models (metadata valid, model file present and matching its checksum). */
  intact: LoadedModel[];
  /** Models whose metadata or model file is missing, invalid or does not match. */
  broken: BrokenModel[];
}

/** Options of {@linkcode list}. */
export interface ListOptions {
  /** Directory holding the models (default `trained_models`). */
  outputDir?: string;
  /** Only models of this network. */
  network?: string;
  /** Only models of this type. */
  modelType?: ModelType;
}

/** A failed read as MODEL_NOT_FOUND, PERMISSION_MISSING or STORAGE, saying which. */
function readError(what: string, path: string, error: unknown): RiskTrainError {
  if (error instanceof Deno.errors.NotFound) {
    return new RiskTrainError("MODEL_NOT_FOUND", `${capital(what)} not found: ${path}`, {
      cause: error,
    });
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new RiskTrainError(
      "PERMISSION_MISSING",
      `Permission denied reading ${what}: ${path} (${
        error instanceof Deno.errors.NotCapable ? `run with --allow-read=${path}` : "file mode"
      })`,
      { cause: error },
    );
  }
  return new RiskTrainError(
    "STORAGE",
    `Cannot read ${what}: ${path} (${error instanceof Error ? error.message : String(error)})`,
    { cause: error },
  );
}

function capital(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

async function readMetadata(metadataPath: string): Promise<ModelMetadata> {
  let text: string;
  try {
    text = await Deno.readTextFile(metadataPath);
  } catch (error) {
    throw readError("model metadata", metadataPath, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RiskTrainError("STORAGE", `Model metadata is not valid JSON: ${metadataPath}`, {
      cause: error,
    });
  }
  const parsed = ModelMetadataSchema.safeParse(json);
  if (!parsed.success) {
    throw new RiskTrainError(
      "STORAGE",
      `Model metadata does not match the schema: ${metadataPath} (${
        z.prettifyError(parsed.error).replaceAll("\n", " ")
      })`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * Reads and checks every model of `outputDir` (the `.json` files with artifact names;
 * temporary and half-written files are ignored). Throws `STORAGE` when the directory does
 * not exist.
 *
 * @example
 * ```ts ignore
 * const { intact, broken } = await inspectModels("trained_models");
 * for (const b of broken) console.log(b.metadataPath, b.reason);
 * ```
 */
export async function inspectModels(outputDir: string): Promise<RegistryInspection> {
  const intact: LoadedModel[] = [];
  const broken: BrokenModel[] = [];
  for (const metadataPath of await metadataFiles(outputDir)) {
    let metadata: ModelMetadata | undefined;
    try {
      metadata = await readMetadata(metadataPath);
      intact.push(await loadChecked(outputDir, metadataPath, metadata));
    } catch (error) {
      if (!(error instanceof RiskTrainError) || error.code === "PERMISSION_MISSING") throw error;
      broken.push({ metadataPath, reason: error.message, error, metadata });
    }
  }
  intact.sort((a, b) =>
    a.metadata.network.localeCompare(b.metadata.network) ||
    a.metadata.model_type.localeCompare(b.metadata.model_type) ||
    Number(a.metadata.version) - Number(b.metadata.version)
  );
  return { intact, broken };
}

async function metadataFiles(outputDir: string): Promise<string[]> {
  const paths: string[] = [];
  try {
    for await (const item of Deno.readDir(outputDir)) {
      const name = item.isFile ? parseArtifactName(item.name) : null;
      if (name?.extension === "json") paths.push(join(outputDir, item.name));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new RiskTrainError("STORAGE", `Model directory not found: ${outputDir}`);
    }
    throw readError("the model directory", outputDir, error);
  }
  return paths.sort();
}

/**
 * The intact models in `outputDir`, ordered by network, model type and version. A model
 * whose metadata fails its schema, or whose model file is missing or does not match its
 * checksum, is left out with a warning (`models doctor` lists them). Throws `STORAGE`
 * when the directory does not exist.
 *
 * @example
 * ```ts ignore
 * for (const entry of await list({ outputDir: "trained_models" })) {
 *   console.log(entry.metadata.model_id, entry.metadata.metrics.test_auc);
 * }
 * ```
 */
export async function list(options: ListOptions = {}): Promise<RegistryEntry[]> {
  const outputDir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  const { intact, broken } = await inspectModels(outputDir);
  for (const { metadataPath, reason } of broken) {
    logger.warn("Left out a broken model {path}: {reason}", { path: metadataPath, reason });
  }
  return intact
    .filter(({ metadata }) =>
      (!options.network || metadata.network === options.network) &&
      (!options.modelType || metadata.model_type === options.modelType)
    )
    .map(({ metadata, metadataPath, modelPath }) => ({ metadata, metadataPath, modelPath }));
}

/** The model file of `metadata`, read inside `dir` and checked against its SHA-256. */
async function loadChecked(
  dir: string,
  metadataPath: string,
  metadata: ModelMetadata,
): Promise<LoadedModel> {
  const modelPath = join(dir, metadata.model_file);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(modelPath);
  } catch (error) {
    throw readError("model file", modelPath, error);
  }
  if (await sha256Hex(bytes) !== metadata.model_sha256) {
    throw new RiskTrainError(
      "STORAGE",
      `Model file does not match the checksum in its metadata: ${modelPath}`,
    );
  }
  return { metadata, metadataPath, modelPath, modelText: new TextDecoder().decode(bytes) };
}

/**
 * Loads a saved model from the path of its `.txt` or `.json`, its model text checked against
 * the metadata's SHA-256 (the public `load`, src/notebook.ts, documents it in full).
 */
export async function load(path: string): Promise<LoadedModel> {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const name = parseArtifactName(path.slice(slash + 1));
  if (!name) {
    throw new RiskTrainError(
      "MODEL_NOT_FOUND",
      `Not a model artifact path: ${path} (expected <model_type>_v<version>_<YYYYmmdd_HHMMSS>.txt or .json)`,
    );
  }
  const metadataPath = `${dir}${name.stem}.json`;
  const metadata = await readMetadata(metadataPath);
  return await loadChecked(dir || ".", metadataPath, metadata);
}

/** Loads the highest version of `modelType` for `options.network` (see the public `latest`). */
export async function latest(
  modelType: ModelType,
  options: { network: string; outputDir?: string },
): Promise<LoadedModel> {
  const entries = await list({ ...options, modelType });
  const last = entries.at(-1);
  if (!last) {
    throw new RiskTrainError(
      "MODEL_NOT_FOUND",
      `No ${modelType} model for network ${options.network} in ${
        options.outputDir ?? DEFAULT_OUTPUT_DIR
      }`,
    );
  }
  return await load(last.metadataPath);
}

/**
 * The newest intact saved model trained with the configuration `configHash` (see
 * `trainingKey`), or null; a missing output directory holds none. A broken model with that
 * configuration is reported (warning) and not returned, so that a new one is trained.
 *
 * @example
 * ```ts ignore
 * const existing = await findExisting(await trainingKey(matrix, options), { outputDir });
 * if (existing) console.log("Already trained", existing.modelPath);
 * ```
 */
export async function findExisting(
  configHash: string,
  options: { outputDir?: string } = {},
): Promise<RegistryEntry | null> {
  try {
    await Deno.stat(options.outputDir ?? DEFAULT_OUTPUT_DIR);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const { intact, broken } = await inspectModels(options.outputDir ?? DEFAULT_OUTPUT_DIR);
  for (const model of broken) {
    if (model.metadata?.config_hash === configHash) {
      logger.warn("The existing model {path} is broken ({reason}): training a new one", {
        path: model.metadataPath,
        reason: model.reason,
      });
    }
  }
  const match = intact.filter((e) => e.metadata.config_hash === configHash).at(-1);
  return match
    ? { metadata: match.metadata, metadataPath: match.metadataPath, modelPath: match.modelPath }
    : null;
}
