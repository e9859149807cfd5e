/**
 * `score` on extracted data or a range: extracts the range with the model's network, window
 * and history look-back, checks the data against the model, builds the matrix with the
 * training run's feature names and dictionaries, and hands it to the score stage.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError, throwIfAborted } from "./errors.ts";
import { extract } from "./extract/extract.ts";
import { dayColumn } from "./features/arrow_columns.ts";
import { buildFeatures, featureCatalogue } from "./features/build_features.ts";
import { parseOptions } from "./options.ts";
import { scoreMatrix, type ScoreResult } from "./score/score.ts";
import type { ClickHouse, ExtractedData, ExtractProgress, LoadedModel } from "./types.ts";

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

/**
 * Scores `input` (extracted data, or a range to extract) with a saved model: the stage
 * functions chained (the public `score`, src/notebook.ts, documents it in full).
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

  const scored = await scoreMatrix(model, matrix, { topK, bootstrapSamples, workers, signal });
  return {
    ...scored,
    timingsMs: { ...timingsMs, ...scored.timingsMs },
    inputCounts: countInputs(data),
  };
}
