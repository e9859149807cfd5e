/**
 * Rich display in Jupyter (Deno's kernel): the models a notebook holds show their card and
 * charts as HTML, a `score` result its metrics and highest-scored rows, through `Symbol.for("Jupyter.display")`, and a one-line summary as plain
 * text elsewhere.
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import type { EvaluationData, ModelMetadata, TrainedModel } from "../types.ts";
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

/** What {@linkcode scoreBundle} shows of a `score` result. */
export interface ScoredView {
  /** The model's registry id. */
  modelVersion: string;
  /** The scores table: an id column, processing_date, score, rank, explain. */
  table: Table;
  /** Metrics on the labelled rows, or null. */
  metrics: Readonly<Record<string, number>> | null;
  /** Their bootstrap intervals. */
  metricsIntervals: Record<string, { low: number; high: number }>;
  /** Labelled rows the metrics were computed on. */
  labelledRows: number;
}

/** Rows of the scores table shown in a notebook: the highest scores. */
export const SCORE_ROWS_SHOWN = 20;

/** The MIME bundle of a `score` result: its metrics and the highest-scored rows. */
export function scoreBundle(result: ScoredView): MimeBundle {
  const { table: scores } = result;
  const id = scores.schema.fields[0].name;
  const column = (name: string) => scores.getChild(name);
  const score = column("score")!;
  const order = Array.from({ length: scores.numRows }, (_, i) => i)
    .sort((a, b) => Number(score.get(b)) - Number(score.get(a)) || a - b)
    .slice(0, SCORE_ROWS_SHOWN);
  const reasons = (i: number) => {
    const text = column("explain")?.get(i);
    if (typeof text !== "string") return "";
    const parsed = JSON.parse(text) as { top_features?: { feature: string; impact: number }[] };
    return (parsed.top_features ?? []).slice(0, 3)
      .map((r) => `${r.feature} ${r.impact >= 0 ? "+" : ""}${r.impact.toFixed(2)}`).join(", ");
  };
  const rows = order.map((i) => [
    String(column(id)?.get(i)),
    String(
      column("processing_date")?.get(i) instanceof Date
        ? (column("processing_date")!.get(i) as Date).toISOString().slice(0, 10)
        : column("processing_date")?.get(i),
    ),
    formatNumber(Number(score.get(i))),
    Number(column("rank")?.get(i)),
    reasons(i),
  ]);
  const metrics = result.metrics
    ? table(
      ["metric", "value", "95% interval"],
      Object.entries(result.metrics).map(([k, v]) => {
        const interval = result.metricsIntervals[k];
        return [
          k,
          formatNumber(v),
          interval ? `[${formatNumber(interval.low)}, ${formatNumber(interval.high)}]` : "",
        ];
      }),
    )
    : "<p>No labelled rows: no metrics.</p>";
  const heading =
    `${result.modelVersion}: ${scores.numRows} rows scored, ${result.labelledRows} labelled`;
  return {
    "text/html": wrap(
      "scores",
      `<h3>${heading}</h3><div class="grid"><div><h3>Highest ${rows.length} scores</h3>${
        table([id, "date", "score", "rank", "top reasons (SHAP)"], rows)
      }</div><div><h3>Metrics</h3>${metrics}</div></div>`,
    ),
    "text/plain": heading,
  };
}

/**
 * Gives `value` a non-enumerable `Symbol.for("Jupyter.display")` method returning
 * `bundle()`; returns `value`.
 */
export function withDisplay<T extends object>(value: T, bundle: () => MimeBundle): T {
  Object.defineProperty(value, JUPYTER_DISPLAY, { value: bundle, enumerable: false });
  return value;
}
