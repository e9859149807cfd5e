/**
 * `buildFeatures`: turns extracted Arrow tables into a dense, column-major feature matrix
 * for LightGBM, with labels, weights, query groups and categorical dictionaries.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { RiskTrainError } from "../errors.ts";
import type { CategoricalFeature, ExtractedData, FeatureMatrix, ModelType } from "../types.ts";
import { alertContext, alertFeatureSources, type FeatureSource } from "./alert_features.ts";
import { encodeCategories } from "./categorical.ts";
import { stringColumn } from "./arrow_columns.ts";
import { clusterFeatureSources } from "./cluster_features.ts";
import { alertGrades, alertLabels, clusterLabels, type RowLabels } from "./labels.ts";

const logger = getLogger(["risktrain", "features"]);

/**
 * Options of {@linkcode buildFeatures}: the model type; for scoring, the training run's
 * feature names (the matrix gets exactly these columns in this order) and categorical
 * dictionaries (codes never shift; unseen categories become NaN); the element type.
 *
 * @example
 * ```ts
 * import { BuildFeaturesOptionsSchema } from "./build_features.ts";
 * const options = BuildFeaturesOptionsSchema.parse({ modelType: "alert_ranker" });
 * console.assert(options.dtype === "float32");
 * ```
 */
export const BuildFeaturesOptionsSchema: z.ZodType<
  {
    modelType: ModelType;
    featureNames?: string[];
    dictionaries?: { index: number; name: string; categories: string[] }[];
    dtype: "float32" | "float64";
  },
  BuildFeaturesOptions
> = z.object({
  modelType: z.enum(["alert_scorer", "alert_ranker", "cluster_scorer"]),
  featureNames: z.array(z.string().min(1)).min(1).optional(),
  dictionaries: z.array(z.object({
    index: z.number().int().min(0),
    name: z.string().min(1),
    categories: z.array(z.string()),
  })).optional(),
  dtype: z.enum(["float32", "float64"]).default("float32"),
});

/** Options of {@linkcode buildFeatures}. */
export interface BuildFeaturesOptions {
  /** The model type the matrix is for. */
  modelType: ModelType;
  /** For scoring: the training run's feature names; the matrix has exactly these columns. */
  featureNames?: readonly string[];
  /** For scoring: the training run's categorical dictionaries (`FeatureMatrix.categorical`). */
  dictionaries?: readonly CategoricalFeature[];
  /** Element type of `data` (default `float32`). */
  dtype?: "float32" | "float64";
}

function parseOptions(options: BuildFeaturesOptions) {
  const result = BuildFeaturesOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    (issue.path.length > 0 ? issue.path.join(".") + ": " : "") + issue.message
  );
  throw new RiskTrainError(
    "CONFIG_INVALID",
    "Invalid buildFeatures options: " + problems.join("; "),
    { cause: result.error },
  );
}

function selectSources(
  sources: FeatureSource[],
  featureNames: readonly string[] | undefined,
): FeatureSource[] {
  const byName = new Map<string, FeatureSource>();
  for (const source of sources) {
    if (byName.has(source.name)) {
      throw new RiskTrainError("DATA_INVALID", "Duplicate feature name: " + source.name);
    }
    byName.set(source.name, source);
  }
  if (featureNames === undefined) return sources;
  const missing = featureNames.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new RiskTrainError(
      "CONTRACT_VIOLATION",
      "Features of the training run missing from this data: " + missing.join(", "),
    );
  }
  return featureNames.map((name) => byName.get(name)!);
}

/**
 * Builds the feature matrix of `data` for `modelType` (catalogue: docs/FEATURES.md).
 *
 * Alert models get one row per alert, `cluster_scorer` one row per cluster, in extract's
 * order (processing_date first), so each ranker query group (one per processing_date at the
 * extraction's window) is contiguous; alerts out of that order are a `DATA_INVALID` error.
 * Labels come only from `data.labels`, never as features. NaN marks a missing value; an infinite value (also one overflowing Float32)
 * or a non-numeric column is a `DATA_INVALID` error naming the feature and its source.
 *
 * @example
 * ```ts ignore
 * import { buildFeatures } from "./build_features.ts";
 * const matrix = buildFeatures(data, { modelType: "alert_scorer" });
 * const scoring = buildFeatures(newData, {
 *   modelType: "alert_scorer",
 *   featureNames: matrix.featureNames,
 *   dictionaries: matrix.categorical,
 * });
 * ```
 */
export function buildFeatures(data: ExtractedData, options: BuildFeaturesOptions): FeatureMatrix {
  const { modelType, featureNames, dictionaries, dtype } = parseOptions(options);
  const ctx = alertContext(data);
  const alertSources = alertFeatureSources(ctx);
  const grades = alertGrades(data.labels, data.alerts, ctx.ids, ctx.days);

  let days: Int32Array;
  let ids: string[];
  let addresses: string[];
  let sources: FeatureSource[];
  let labels: RowLabels;
  if (modelType === "cluster_scorer") {
    const clusters = clusterFeatureSources(ctx, alertSources);
    if (clusters.n === 0) {
      const { network, startDate, endDate, windowDays } = data.provenance;
      throw new RiskTrainError(
        "NO_DATA",
        "No clusters found for " + network + " between " + startDate + " and " + endDate +
          " at window " + windowDays,
      );
    }
    days = clusters.days;
    ids = clusters.ids;
    addresses = clusters.addresses;
    sources = clusters.sources;
    labels = clusterLabels(grades, clusters.members);
  } else {
    days = ctx.days;
    ids = ctx.ids;
    addresses = stringColumn(data.alerts, "address", "alerts");
    sources = alertSources;
    labels = alertLabels(grades, modelType);
  }
  sources = selectSources(sources, featureNames);

  const numRows = days.length;
  const numFeatures = sources.length;
  const matrix = dtype === "float64"
    ? new Float64Array(numRows * numFeatures)
    : new Float32Array(numRows * numFeatures);
  const dictionaryOf = new Map((dictionaries ?? []).map((d) => [d.name, d.categories]));
  const categorical: CategoricalFeature[] = [];

  sources.forEach((source, j) => {
    let values: Float64Array;
    if (source.kind === "categorical") {
      const dictionary = dictionaryOf.get(source.name);
      if (featureNames !== undefined && dictionary === undefined) {
        throw new RiskTrainError(
          "CONFIG_INVALID",
          "No dictionary for the categorical feature " + source.name + " of the training run",
        );
      }
      const encoded = encodeCategories(source.values(), dictionary);
      if (encoded.unseen > 0) {
        logger.warn("{rows} rows have a {feature} unseen in training: coded as missing", {
          rows: encoded.unseen,
          feature: source.name,
        });
      }
      categorical.push({ index: j, name: source.name, categories: encoded.categories });
      values = encoded.codes;
    } else {
      values = source.values();
    }
    const column = matrix.subarray(j * numRows, (j + 1) * numRows);
    column.set(values);
    for (let r = 0; r < numRows; r++) {
      const x = column[r];
      if (x === Infinity || x === -Infinity) {
        throw new RiskTrainError(
          "DATA_INVALID",
          "Feature " + source.name + " (from " + source.source + ") is infinite for " +
            ids[r] + ": " + values[r],
        );
      }
    }
  });

  const processingDates = days;
  let group: Int32Array | null = null;
  if (modelType === "alert_ranker") {
    group = new Int32Array(numRows);
    for (let r = 1; r < numRows; r++) {
      group[r] = group[r - 1] + (processingDates[r] !== processingDates[r - 1] ? 1 : 0);
    }
  }
  const { label, weight } = labels;
  logger.info("Built {rows} x {features} feature matrix for {modelType}", {
    rows: numRows,
    features: numFeatures,
    modelType,
    categorical: categorical.length,
  });
  return {
    modelType,
    numRows,
    numFeatures,
    data: matrix,
    featureNames: sources.map((source) => source.name),
    categorical,
    label,
    weight,
    group,
    ids,
    addresses,
    processingDates,
    provenance: data.provenance,
  };
}

/**
 * The catalogue of features `buildFeatures` would produce for `data`: name, group and
 * source of each column, in matrix order, without computing any value.
 *
 * @example
 * ```ts ignore
 * import { featureCatalogue } from "./build_features.ts";
 * for (const f of featureCatalogue(data, "alert_scorer")) console.log(f.name, f.group, f.source);
 * ```
 */
export function featureCatalogue(
  data: ExtractedData,
  modelType: ModelType,
): { name: string; group: string; source: string; categorical: boolean }[] {
  const ctx = alertContext(data);
  const alertSources = alertFeatureSources(ctx);
  const sources = modelType === "cluster_scorer"
    ? clusterFeatureSources(ctx, alertSources).sources
    : alertSources;
  return sources.map((source) => ({
    name: source.name,
    group: source.group,
    source: source.source,
    categorical: source.kind === "categorical",
  }));
}
