/**
 * `rebuildReport`: writes a saved model's HTML report again from the files beside it (its
 * metadata and evaluation data), without the training data.
 *
 * @module
 */
import { RiskTrainError } from "./errors.ts";
import { decodeEvaluation } from "./report/evaluation_file.ts";
import { renderReport } from "./report/render_report.ts";
import { evaluationFileName, siblingPath } from "./storage/artifact_names.ts";
import { load } from "./storage/registry.ts";
import { replaceReport } from "./storage/replace_report.ts";
import type { EvaluationData } from "./types.ts";

/**
 * The evaluation data saved beside a model (`<stem>.evaluation.json.gz`), or null when the
 * model has none. `metadataPath` is the model's `.json` (or `.txt`).
 *
 * @example
 * ```ts ignore
 * const evaluation = await loadEvaluation("trained_models/alert_scorer_v1_20240131_123456.json");
 * ```
 */
export async function loadEvaluation(metadataPath: string): Promise<EvaluationData | null> {
  const path = siblingPath(metadataPath, evaluationFileName);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new RiskTrainError("STORAGE", `Cannot read evaluation data: ${path}`, { cause: error });
  }
  return decodeEvaluation(bytes, path);
}

/**
 * Renders a saved model's report from its metadata and evaluation data and writes it
 * atomically to `<stem>.html` beside the model (replacing the old one). Returns its path.
 *
 * @example
 * ```ts ignore
 * const path = await rebuildReport("trained_models/alert_scorer_v1_20240131_123456.json");
 * ```
 */
export async function rebuildReport(modelPath: string): Promise<string> {
  const model = await load(modelPath);
  const html = renderReport(model.metadata, await loadEvaluation(model.metadataPath));
  return await replaceReport(model.metadataPath, html);
}
