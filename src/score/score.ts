/**
 * `score`: turns a saved model and a range of data into scores with reason codes, as an
 * Arrow table (the rows the output tables receive).
 *
 * @module
 */
import { DateDay, makeVector, Table, Utf8, vectorFromArray } from "npm:apache-arrow@21.2.0";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import type { ExtractProgress } from "../extract/collect_batches.ts";
import { extract } from "../extract/extract.ts";
import { dayColumn } from "../features/arrow_columns.ts";
import { buildFeatures, featureCatalogue } from "../features/build_features.ts";
import { Booster } from "../lightgbm/booster.ts";
import { initLightGBM } from "../lightgbm/_wasm.ts";
import { applyCalibration } from "../metrics/calibration.ts";
import type { DateEvaluation } from "../metrics/evaluate_scores.ts";
import { parseOptions } from "../options.ts";
import { scoreBundle, withDisplay } from "../report/notebook_display.ts";
import type { LoadedModel } from "../storage/registry.ts";
import type {
  ClickHouse,
  ExtractedData,
  FeatureMatrix,
  ModelMetrics,
  ModelType,
} from "../types.ts";
import { backtest } from "./backtest.ts";
import { contributions } from "./contributions.ts";
import { ranksByDate } from "./rank_by_date.ts";
import { explainRows } from "./reason_codes.ts";

const logger = getLogger(["risktrain", "score"]);

/** A range to extract and score: the network and window come from the model's metadata. */
export interface ScoreRange {
  /** The ClickHouse to read. */
  source: ClickHouse;
  /** First processing_date, inclusive, `YYYY-MM-DD`. */
  startDate: string;
  /** Last processing_date, inclusive, `YYYY-MM-DD`. */
  endDate: string;
  /** Database to read (default: the model's training database). */
  database?: string;
}

/** Options of {@linkcode score}. */
export interface ScoreOptions {
  /** Reasons per row in `explain` (default 5). */
  topK?: number;
  /** Stops the extraction and scoring; the promise rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Progress of the extraction (a range only). */
  onProgress?: (progress: ExtractProgress) => void;
  /** Bootstrap replicates of the backtest's intervals (default 200). */
  bootstrapSamples?: number;
  /**
   * Parallel WebAssembly workers computing the SHAP contributions (default: one per core
   * from 10,000 rows, else 1, in this realm); the values are the same either way.
   */
  workers?: number;
}

/** The zod schema of {@linkcode ScoreOptions}; fills the default `topK`. */
export const ScoreOptionsSchema: z.ZodType<
  ScoreOptions & { topK: number; bootstrapSamples: number },
  ScoreOptions
> = z
  .object({
    topK: z.int().min(1).max(1000).default(5),
    bootstrapSamples: z.int().min(1).max(100_000).default(200),
    workers: z.int().min(1).max(256).optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
    onProgress: z.custom<(progress: ExtractProgress) => void>((value) =>
      typeof value === "function"
    ).optional(),
  }).strict();

/** What {@linkcode score} returns. */
export interface ScoreResult {
  /** The model type scored. */
  modelType: ModelType;
  /** The model's registry id, written as `model_version`. */
  modelVersion: string;
  /**
   * One row per alert (alert models) or cluster (`cluster_scorer`): `alert_id` or
   * `cluster_id`, `processing_date`, `window_days`, `score` (the calibrated probability when
   * the model has a calibration, else LightGBM's prediction: a probability for binary models,
   * the raw score for the ranker), `rank` (1 = highest score of its processing_date) and
   * `model_version`, `explain` (the explain_json).
   */
  table: Table;
  /** The feature matrix scored (labels included, for backtests). */
  matrix: FeatureMatrix;
  /** Test metrics on the labelled rows of the range (the training run's metric set), or null. */
  metrics: ModelMetrics | null;
  /** The metrics per processing_date (precision@k per day among them). */
  metricsPerDate: DateEvaluation[];
  /** Bootstrap 95% intervals of the metrics (test dates resampled). */
  metricsIntervals: Record<string, { low: number; high: number }>;
  /** Labelled rows the metrics were computed on. */
  labelledRows: number;
  /** Durations in milliseconds: extract (a range only), features, predict, explain. */
  timingsMs: Record<string, number>;
  /** Input rows per processing_date (days since 1970-01-01): alerts, raw_features, clusters. */
  inputCounts: Map<number, { alerts: number; features: number; clusters: number }>;
}

/** Alerts, raw_features rows found and clusters of the data, per processing_date. */
function countInputs(data: ExtractedData): ScoreResult["inputCounts"] {
  const counts: ScoreResult["inputCounts"] = new Map();
  const add = (table: Table, field: "alerts" | "features" | "clusters", found?: string) => {
    if (table.numRows === 0) return;
    const days = dayColumn(table, "processing_date", field);
    const present = found === undefined ? null : table.getChild(found);
    days.forEach((day, i) => {
      if (present !== null && !present.isValid(i)) return;
      const entry = counts.get(day) ?? { alerts: 0, features: 0, clusters: 0 };
      entry[field]++;
      counts.set(day, entry);
    });
  };
  add(data.alerts, "alerts");
  // features holds one row per alerted pair: NULL values where the pair has no source row.
  const firstColumn = data.features.schema.fields.find((f) =>
    !["address_row", "processing_date", "address"].includes(f.name)
  );
  if (firstColumn) add(data.features, "features", firstColumn.name);
  add(data.clusters, "clusters");
  return counts;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function checkData(model: LoadedModel, data: ExtractedData): void {
  const m = model.metadata;
  const p = data.provenance;
  const problems: string[] = [];
  if (p.network !== m.network) problems.push(`network ${p.network}, model ${m.network}`);
  if (p.windowDays !== m.window_days) {
    problems.push(`window_days ${p.windowDays}, model ${m.window_days}`);
  }
  if (p.historyDays !== m.history_days) {
    problems.push(`historyDays ${p.historyDays}, model ${m.history_days}`);
  }
  if (problems.length > 0) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `The data does not match model ${m.model_id}: ${problems.join("; ")}`,
    );
  }
}

function checkColumns(model: LoadedModel, data: ExtractedData): void {
  const m = model.metadata;
  const present = featureCatalogue(data, m.model_type).map((f) => f.name);
  const expected = new Set(m.feature_names);
  const have = new Set(present);
  const missing = m.feature_names.filter((name) => !have.has(name));
  const extra = present.filter((name) => !expected.has(name));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [
    missing.length > 0 ? `missing ${missing.join(", ")}` : "",
    extra.length > 0 ? `not in the model ${extra.join(", ")}` : "",
  ].filter((part) => part !== "");
  throw new RiskTrainError(
    "CONTRACT_VIOLATION",
    `The data's features differ from those model ${m.model_id} was trained on: ${
      parts.join("; ")
    } (retrain on data of this shape)`,
  );
}

/** Days since 1970-01-01 as UTC midnight dates. */
function dates(days: Int32Array): Date[] {
  return Array.from(days, (day) => new Date(day * 86_400_000));
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
  const { topK, signal, onProgress, bootstrapSamples, workers } = parseOptions(
    ScoreOptionsSchema,
    options,
    "score options",
  );
  const m = model.metadata;
  if (m.history_days === undefined) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `Model ${m.model_id} predates range-independent history features (no history_days in ` +
        `its metadata): retrain it to score`,
    );
  }
  const timingsMs: Record<string, number> = {};
  let started = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timingsMs[name] = Math.round(now - started);
    started = now;
  };
  let data: ExtractedData;
  if ("source" in input) {
    data = await extract(input.source, {
      network: m.network,
      database: input.database ?? m.database,
      startDate: input.startDate,
      endDate: input.endDate,
      windowDays: m.window_days,
      historyDays: m.history_days,
    }, { signal, onProgress });
    lap("extract_ms");
  } else {
    data = input;
  }
  checkData(model, data);
  checkColumns(model, data);
  throwIfAborted(signal);

  const matrix = buildFeatures(data, {
    modelType: m.model_type,
    featureNames: m.feature_names,
    dictionaries: m.categorical_features,
  });
  lap("features_ms");
  throwIfAborted(signal);

  await initLightGBM();
  using booster = Booster.fromModelString(model.modelText);
  if (!sameNames(booster.featureNames, m.feature_names)) {
    throw new RiskTrainError(
      "STORAGE",
      `The model file's features differ from its metadata's feature_names: ${model.modelPath}`,
    );
  }
  const predicted = booster.predict(matrix);
  const scores = m.calibration ? applyCalibration(m.calibration, predicted) : predicted;
  lap("predict_ms");
  throwIfAborted(signal);
  const contrib = await contributions(booster, model.modelText, matrix, { workers, signal });
  const explain = explainRows(matrix, contrib, scores, topK).map((e) => JSON.stringify(e));
  lap("explain_ms");

  const { metrics, perDate, intervals, labelledRows } = backtest(
    matrix,
    predicted,
    m,
    bootstrapSamples,
  );
  const idColumn = m.model_type === "cluster_scorer" ? "cluster_id" : "alert_id";
  const n = matrix.numRows;
  const table = new Table({
    [idColumn]: vectorFromArray(matrix.ids, new Utf8()),
    processing_date: vectorFromArray(dates(matrix.processingDates), new DateDay()),
    window_days: makeVector(new Uint16Array(n).fill(m.window_days)),
    score: makeVector(Float64Array.from(scores)),
    rank: makeVector(ranksByDate(matrix.processingDates, scores)),
    model_version: vectorFromArray(new Array(n).fill(m.model_id), new Utf8()),
    explain: vectorFromArray(explain, new Utf8()),
  });
  logger.info("Scored {rows} rows with {model}", { rows: n, model: m.model_id, labelledRows });
  const result: ScoreResult = {
    modelType: m.model_type,
    modelVersion: m.model_id,
    table,
    matrix,
    metrics,
    metricsPerDate: perDate,
    metricsIntervals: intervals,
    labelledRows,
    timingsMs,
    inputCounts: countInputs(data),
  };
  return withDisplay(result, () => scoreBundle(result));
}
