/**
 * Rich display in Jupyter (Deno's kernel): the models a notebook holds show their card and
 * charts as HTML through `Symbol.for("Jupyter.display")`, and a one-line summary as plain
 * text elsewhere.
 *
 * @module
 */
import type { ModelMetadata } from "../storage/metadata.ts";
import type { EvaluationData, TrainedModel } from "../types.ts";
import { decodeEvaluation, evaluationFileName } from "./evaluation_file.ts";
import { formatNumber, table } from "./html.ts";
import { explanationsSection } from "./sections/explanations_section.ts";
import { headlineMetrics, summaryCard } from "./sections/summary_card.ts";
import { performanceSection } from "./sections/performance_section.ts";
import { REPORT_CSS } from "./report_style.ts";

/** The MIME bundle a Jupyter kernel shows. */
export interface MimeBundle {
  /** HTML for notebooks. */
  "text/html": string;
  /** Plain text for everything else. */
  "text/plain": string;
}

/** The symbol Deno's Jupyter kernel calls to display a value. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** The report's styles nested under one output element, so they leave the notebook's alone. */
function scopedCss(scope: string): string {
  return `${scope} { ${REPORT_CSS.replace(/:root/g, "&").replace(/\bbody\s*\{/g, "& {")} }`;
}

function wrap(id: string, body: string): string {
  const scope = `.risktrain-${id}`;
  return `<div class="risktrain-${id}"><style>${scopedCss(scope)}</style>${body}</div>`;
}

function plainSummary(
  metadata: Pick<ModelMetadata, "model_type" | "network" | "metrics">,
  name: string,
): string {
  const metrics = headlineMetrics(metadata.model_type).filter((m) => m in metadata.metrics)
    .map((m) => `${m} ${formatNumber(metadata.metrics[m])}`).join(", ");
  return `${name}: ${metadata.model_type} on ${metadata.network} (${metrics})`;
}

/** The MIME bundle of a saved model: its card, metrics, curves and explanations. */
export function modelBundle(
  metadata: ModelMetadata,
  evaluation: EvaluationData | null,
): MimeBundle {
  const input = { metadata, evaluation };
  return {
    "text/html": wrap(
      metadata.config_hash.slice(0, 12),
      `<h3>${metadata.model_id}</h3>${summaryCard(metadata)}${performanceSection(input)}${
        explanationsSection(input)
      }`,
    ),
    "text/plain": plainSummary(metadata, metadata.model_id),
  };
}

/** The MIME bundle of a trained model not yet saved. */
export function trainedBundle(model: TrainedModel): MimeBundle {
  const p = model.provenance;
  const details = model.details as { config_hash?: string; threshold?: number | null };
  const facts = table(["", ""], [
    ["type", model.modelType],
    ["network", p.network],
    ["range", `${p.startDate} to ${p.endDate} (window ${p.windowDays} days)`],
    ["labelled rows", model.dataStats.numSamples],
    ["positive rate", `${(model.dataStats.positiveRate * 100).toFixed(2)}%`],
    ["trees", model.numTrees],
  ]);
  const metrics = table(
    ["metric", "value"],
    Object.entries(model.metrics).map(([k, v]) => [k, formatNumber(v)]),
  );
  const pseudo = {
    model_type: model.modelType,
    network: p.network,
    metrics: model.metrics,
    threshold: details.threshold ?? null,
    feature_names: [...model.featureNames],
    feature_importance: [...model.featureImportance],
  } as unknown as ModelMetadata;
  const input = { metadata: pseudo, evaluation: model.evaluation ?? null };
  return {
    "text/html": wrap(
      (details.config_hash ?? "trained").slice(0, 12),
      `<h3>Trained ${model.modelType} (not saved yet)</h3><div class="grid"><div>${facts}</div><div>${metrics}</div></div>${
        explanationsSection(input)
      }`,
    ),
    "text/plain": plainSummary(pseudo, "Trained model"),
  };
}

/**
 * The evaluation data beside a model's metadata, read synchronously (a display method
 * cannot wait), or null when there is none.
 */
export function readEvaluationSync(metadataPath: string): EvaluationData | null {
  const slash = metadataPath.lastIndexOf("/");
  const stem = metadataPath.slice(slash + 1).replace(/\.json$/, "");
  const path = metadataPath.slice(0, slash + 1) + evaluationFileName(stem);
  try {
    return decodeEvaluation(Deno.readFileSync(path), path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Gives `value` a non-enumerable `Symbol.for("Jupyter.display")` method returning
 * `bundle()`; returns `value`.
 */
export function withDisplay<T extends object>(value: T, bundle: () => MimeBundle): T {
  Object.defineProperty(value, JUPYTER_DISPLAY, { value: bundle, enumerable: false });
  return value;
}
