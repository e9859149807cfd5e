/**
 * The summary card: what the model is, what it was trained on, and its headline metrics.
 * Also the HTML a notebook shows for a model.
 *
 * @module
 */
import type { ModelMetadata } from "../../types.ts";
import { escapeHtml, formatNumber } from "../html.ts";

/** The headline metrics of a model type, in display order. */
export function headlineMetrics(modelType: ModelMetadata["model_type"]): string[] {
  return modelType === "alert_ranker"
    ? ["test_ndcg@10", "test_ndcg@5", "test_ndcg@20", "test_map"]
    : ["test_auc", "test_pr_auc", "test_f1", "test_precision", "test_recall"];
}

/** The facts of the card as label/value pairs (shared with the terminal's `models show`). */
export function cardFacts(metadata: ModelMetadata): [string, string][] {
  const { split, data_stats: stats } = metadata;
  const positives = Math.round(stats.num_samples * stats.positive_rate);
  return [
    ["Model", metadata.model_id],
    ["Type", metadata.model_type],
    ["Network", metadata.network],
    ["Window", `${metadata.window_days} days`],
    [
      "Training range",
      `${metadata.training_period.start_date} to ${metadata.training_period.end_date}`,
    ],
    ["Train dates", `${split.train_start_date} to ${split.train_end_date}`],
    ["Test dates", `${split.test_start_date} to ${split.test_end_date}`],
    [
      "Labelled rows",
      `${formatNumber(stats.num_samples)} (train ${formatNumber(split.train_rows)}, test ${
        formatNumber(split.test_rows)
      })`,
    ],
    ["Positives", `${formatNumber(positives)} (${(stats.positive_rate * 100).toFixed(2)}%)`],
    ["Features", formatNumber(stats.num_features)],
    ["Trees", formatNumber(metadata.num_trees)],
    ["Threshold", metadata.threshold === null ? "none (ranker)" : formatNumber(metadata.threshold)],
    ["Created", metadata.timestamp.slice(0, 19).replace("T", " ") + " UTC"],
  ];
}

/** The bootstrap interval of a metric, when the metadata holds one. */
export function intervalOf(
  metadata: ModelMetadata,
  name: string,
): { low: number; high: number } | null {
  const evaluation = metadata.details.evaluation as
    | { intervals?: Record<string, { low: number; high: number }> }
    | undefined;
  const interval = evaluation?.intervals?.[name];
  return interval && Number.isFinite(interval.low) && Number.isFinite(interval.high)
    ? interval
    : null;
}

/** The card: facts, headline metrics with intervals and the verdicts the metadata holds. */
export function summaryCard(metadata: ModelMetadata): string {
  const facts = cardFacts(metadata).map(([k, v]) =>
    `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`
  ).join("");
  const metrics = headlineMetrics(metadata.model_type)
    .filter((name) => name in metadata.metrics)
    .map((name) => {
      const interval = intervalOf(metadata, name);
      const range = interval
        ? ` <small>[${formatNumber(interval.low)}, ${formatNumber(interval.high)}]</small>`
        : "";
      return `<div class="metric" data-metric="${escapeHtml(name)}"><b>${
        formatNumber(metadata.metrics[name])
      }</b><span>${escapeHtml(name)}${range}</span></div>`;
    }).join("");
  return `<div class="card" data-card><dl class="facts">${facts}</dl>` +
    `<div class="headline">${metrics}</div>${verdicts(metadata)}</div>`;
}

/** One line per verdict: cross-validation, the baseline, the previous model, weakness. */
export function verdictLines(metadata: ModelMetadata): { text: string; tone: string }[] {
  const lines: { text: string; tone: string }[] = [];
  const m = metadata.metrics;
  const cvName = Object.keys(m).find((k) => /^cv_.*_mean$/.test(k));
  if (cvName && typeof m[cvName] === "number") {
    lines.push({
      text: `Cross-validated ${cvName.slice(3, -5)} ${formatNumber(m[cvName])} ± ${
        formatNumber(m[cvName.replace(/_mean$/, "_std")])
      } on the training dates.`,
      tone: "",
    });
  }
  const evaluation = metadata.details.evaluation as { baseline?: string | null } | undefined;
  const lift = Object.keys(m).find((k) => k.startsWith("lift_"));
  if (evaluation?.baseline && lift) {
    const name = lift.slice(5);
    const value = m[lift];
    lines.push({
      text: `Against the baseline (${evaluation.baseline}): ${name} ${
        formatNumber(m[`test_${name}`])
      } vs ${formatNumber(m[`baseline_${name}`])}, lift ${formatNumber(value)}.`,
      tone: typeof value === "number" && value > 0 ? "good" : "bad",
    });
  } else {
    lines.push({ text: "No baseline is recorded for this model.", tone: "muted" });
  }
  const comparison = metadata.comparison ?? metadata.details.comparison as
    | Record<string, unknown>
    | undefined;
  if (comparison?.compared === true && Array.isArray(comparison.metrics)) {
    const parts =
      (comparison.metrics as { metric: string; old: number; new: number; difference: number }[])
        .map((c) =>
          `${c.metric} ${formatNumber(c.old)} → ${formatNumber(c.new)} (${
            c.difference >= 0 ? "+" : ""
          }${formatNumber(c.difference)})`
        );
    lines.push({
      text: `Against the previous model ${comparison.previous_model_id} on these test rows: ${
        parts.join(", ")
      }.`,
      tone: "",
    });
  } else if (comparison) {
    lines.push({
      text:
        `Not compared with the previous model ${comparison.previous_model_id}: ${comparison.reason}.`,
      tone: "muted",
    });
  } else {
    lines.push({ text: "No previous model was compared.", tone: "muted" });
  }
  if (metadata.weak === true) {
    const reasons = Array.isArray(metadata.details.weak_reasons)
      ? (metadata.details.weak_reasons as string[]).join("; ")
      : "";
    lines.push({ text: `WEAK MODEL (saved with --allow-weak): ${reasons}.`, tone: "bad" });
  }
  return lines;
}

function verdicts(metadata: ModelMetadata): string {
  return verdictLines(metadata).map(({ text, tone }) =>
    `<p class="verdict ${tone}" data-verdict>${escapeHtml(text)}</p>`
  ).join("");
}
