/**
 * The public `train`, `save`, `load`, `latest` and `score`: the stage functions composed for
 * the library's users. `save` writes the report stage's files beside the model, and every
 * result shows itself in Jupyter (Deno's kernel) through `Symbol.for("Jupyter.display")`:
 * a model its card and charts, a `score` result its metrics and highest-scored rows.
 *
 * @module
 */
import { decodeEvaluation } from "./report/evaluation_file.ts";
import { modelBundle, scoreBundle, trainedBundle, withDisplay } from "./report/notebook_display.ts";
import { reportArtifacts } from "./report/report_artifacts.ts";
import type { ScoreResult } from "./score/score.ts";
import { score as scoreModel, type ScoreOptions, type ScoreRange } from "./score_model.ts";
import { evaluationFileName, siblingPath } from "./storage/artifact_names.ts";
import { latest as latestModel, load as loadModel } from "./storage/registry.ts";
import {
  save as saveModel,
  type SavedModelWithMetadata,
  type SaveOptions,
} from "./storage/save.ts";
import { train as trainModel } from "./train/train.ts";
import type { TrainOptions } from "./train/train_options.ts";
import type {
  EvaluationData,
  ExtractedData,
  FeatureMatrix,
  LoadedModel,
  ModelType,
  TrainedModel,
} from "./types.ts";

/**
 * The evaluation data beside a model's metadata, read synchronously (a display method
 * cannot wait), or null when there is none.
 */
function readEvaluationSync(metadataPath: string): EvaluationData | null {
  const path = siblingPath(metadataPath, evaluationFileName);
  try {
    return decodeEvaluation(Deno.readFileSync(path), path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function displayed(model: LoadedModel): LoadedModel {
  return withDisplay(
    model,
    () => modelBundle(model.metadata, readEvaluationSync(model.metadataPath)),
  );
}

/**
 * Trains a model on the labelled rows of `matrix`: the latest processing dates are held
 * out as the test set; on the rest, `trials` hyperparameter configurations (the defaults
 * first, then seeded samples) compete by successive halving, each scored by k-fold
 * cross-validation with early stopping (by default forward-chaining folds of whole dates,
 * `cv: "time"`; or stratified, or grouped by address or query); the winner is fitted on the
 * whole training part for its cross-validated number of rounds. Metrics: test AUC, PR-AUC, log loss, and precision,
 * recall and F1 at the out-of-fold F1-maximising threshold for the scorers; NDCG@5/10/20
 * and MAP for the ranker; the cross-validated metric's mean and standard deviation. The
 * same seed and data give a byte-identical model.
 *
 * @example
 * ```ts ignore
 * const model = await train(matrix, { trials: 20, folds: 5, seed: 42 });
 * console.log(model.metrics.test_auc, model.details.threshold);
 * ```
 */
export async function train(
  matrix: FeatureMatrix,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const model = await trainModel(matrix, options);
  return withDisplay(model, () => trainedBundle(model));
}

/**
 * Saves a trained model as `<outputDir>/<model_type>_v<version>_<YYYYmmdd_HHMMSS>.txt`
 * (LightGBM text), `.evaluation.json.gz` (what the report plots, when the model carries it),
 * `.html` (the report) and `.json` (metadata), `version` being the next one for the model type
 * and network. The files are written under temporary names and fsynced, renamed into
 * place (the `.json` last: it marks the model complete) and the directory fsynced, all
 * under an exclusive lock on the directory's registry, so concurrent saves never share a
 * version. Then, when `clickhouse` is given, the row is inserted into `trained_models`.
 *
 * @example
 * ```ts ignore
 * const saved = await save(model, { outputDir: "trained_models", clickhouse });
 * console.log(saved.modelPath, saved.version);
 * ```
 */
export async function save(
  model: TrainedModel,
  options: SaveOptions = {},
): Promise<SavedModelWithMetadata> {
  const evaluation = model.evaluation ?? null;
  const saved = await saveModel(model, options, reportArtifacts(evaluation));
  return withDisplay(saved, () => modelBundle(saved.metadata, evaluation));
}

/**
 * Loads a saved model from the path of its `.txt` or `.json`: the metadata validated, the
 * model text read (inside the metadata's directory: `model_file` is a base name) and
 * checked against the metadata's SHA-256. Throws `MODEL_NOT_FOUND` when a file is
 * missing, `PERMISSION_MISSING` when reading it is denied and `STORAGE` when they do not
 * match.
 *
 * @example
 * ```ts ignore
 * const model = await load("trained_models/alert_scorer_v1_20240131_123456.txt");
 * console.log(model.metadata.metrics.test_auc);
 * ```
 */
export async function load(path: string): Promise<LoadedModel> {
  return displayed(await loadModel(path));
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
  return displayed(await latestModel(modelType, options));
}

/**
 * Scores `input` (extracted data, or a range to extract with the model's network, window and
 * history look-back) with a saved model: builds the matrix with the training run's feature
 * names and dictionaries (features missing from the data, or present but unknown to the model,
 * are a `CONTRACT_VIOLATION` naming them), predicts, applies the stored calibration, ranks
 * each processing_date and explains every row with its top `topK` SHAP contributions
 * (LightGBM's `predict_contrib`; contributions plus `base_value` sum to the raw score). On a
 * labelled range it also reports the training run's test metrics on the labelled rows.
 *
 * @example
 * ```ts ignore
 * import { latest, openClickHouse, score } from "./mod.ts";
 * await using ch = await openClickHouse({ dataDir: ".risktrain/chdb" });
 * const model = await latest("alert_scorer", { network: "demo" });
 * const result = await score(model, { source: ch, startDate: "2024-02-20", endDate: "2024-02-29" });
 * console.log(result.table.numRows, result.metrics?.test_auc);
 * ```
 */
export async function score(
  model: LoadedModel,
  input: ExtractedData | ScoreRange,
  options: ScoreOptions = {},
): Promise<ScoreResult> {
  const result = await scoreModel(model, input, options);
  return withDisplay(result, () => scoreBundle(result));
}
