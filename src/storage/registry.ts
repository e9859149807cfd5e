/**
 * The model registry on disk: the complete models of an output directory (a model is
 * complete once its `.json` exists, written last), found by listing, by latest version,
 * or by training configuration.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import type { ModelType } from "../types.ts";
import { parseArtifactName } from "./artifact_names.ts";
import { type ModelMetadata, ModelMetadataSchema } from "./metadata.ts";
import { sha256Hex } from "./_sha256.ts";
import { modelBundle, readEvaluationSync, withDisplay } from "../report/notebook_display.ts";

/** The default output directory of models. */
export const DEFAULT_OUTPUT_DIR = "trained_models";

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

/** Options of {@linkcode list}. */
export interface ListOptions {
  /** Directory holding the models (default `trained_models`). */
  outputDir?: string;
  /** Only models of this network. */
  network?: string;
  /** Only models of this type. */
  modelType?: ModelType;
}

async function readMetadata(metadataPath: string): Promise<ModelMetadata> {
  let text: string;
  try {
    text = await Deno.readTextFile(metadataPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new RiskTrainError("MODEL_NOT_FOUND", `Model metadata not found: ${metadataPath}`);
    }
    throw new RiskTrainError("STORAGE", `Cannot read model metadata: ${metadataPath}`, {
      cause: error,
    });
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
 * The complete models in `outputDir`, ordered by network, model type and version. Temporary
 * and half-written files are ignored; a metadata file that fails its schema is an error.
 * Throws `STORAGE` when the directory does not exist.
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
  const entries: RegistryEntry[] = [];
  try {
    for await (const item of Deno.readDir(outputDir)) {
      const name = item.isFile ? parseArtifactName(item.name) : null;
      if (!name || name.extension !== "json") continue;
      if (options.modelType && name.modelType !== options.modelType) continue;
      const metadataPath = join(outputDir, item.name);
      const metadata = await readMetadata(metadataPath);
      if (options.network && metadata.network !== options.network) continue;
      entries.push({ metadata, metadataPath, modelPath: join(outputDir, metadata.model_file) });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new RiskTrainError("STORAGE", `Model directory not found: ${outputDir}`);
    }
    throw error;
  }
  return entries.sort((a, b) =>
    a.metadata.network.localeCompare(b.metadata.network) ||
    a.metadata.model_type.localeCompare(b.metadata.model_type) ||
    Number(a.metadata.version) - Number(b.metadata.version)
  );
}

/**
 * Loads a saved model from the path of its `.txt` or `.json`: the metadata validated, the
 * model text read and checked against the metadata's SHA-256. Throws `MODEL_NOT_FOUND`
 * when a file is missing and `STORAGE` when they do not match.
 *
 * @example
 * ```ts ignore
 * const model = await load("trained_models/alert_scorer_v1_20240131_123456.txt");
 * console.log(model.metadata.metrics.test_auc);
 * ```
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
  const modelPath = `${dir}${metadata.model_file}`;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(modelPath);
  } catch (error) {
    throw new RiskTrainError("MODEL_NOT_FOUND", `Model file not found: ${modelPath}`, {
      cause: error,
    });
  }
  if (await sha256Hex(bytes) !== metadata.model_sha256) {
    throw new RiskTrainError(
      "STORAGE",
      `Model file does not match the checksum in its metadata: ${modelPath}`,
    );
  }
  const loaded = { metadata, metadataPath, modelPath, modelText: new TextDecoder().decode(bytes) };
  return withDisplay(loaded, () => modelBundle(metadata, readEvaluationSync(metadataPath)));
}

/**
 * Loads the highest version of `modelType` for `options.network`. Throws `MODEL_NOT_FOUND`
 * when there is none.
 *
 * @example
 * ```ts ignore
 * const model = await latest("alert_scorer", { network: "torus" });
 * ```
 */
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
 * The newest saved model trained with the configuration `configHash` (see `trainingKey`),
 * or null; a missing output directory holds none.
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
  const matches = (await list(options)).filter((e) => e.metadata.config_hash === configHash);
  return matches.at(-1) ?? null;
}
