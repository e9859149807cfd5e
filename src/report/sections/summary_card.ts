/**
 * The summary card: what the model is, what it was trained on, and its headline metrics.
 * Also the HTML a notebook shows for a model.
 *
 * @module
 */
import type { ModelMetadata } from "../../storage/metadata.ts";
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
    ["Created", metadata.timestamp],
  ];
}

/** The card: facts, headline metrics and the verdicts the metadata holds. */
export function summaryCard(metadata: ModelMetadata): string {
  const facts = cardFacts(metadata).map(([k, v]) =>
    `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`
  ).join("");
  const metrics = headlineMetrics(metadata.model_type)
    .filter((name) => name in metadata.metrics)
    .map((name) =>
      `<div class="metric" data-metric="${escapeHtml(name)}"><b>${
        formatNumber(metadata.metrics[name])
      }</b><span>${escapeHtml(name)}</span></div>`
    ).join("");
  return `<div class="card" data-card><dl class="facts">${facts}</dl>` +
    `<div class="headline">${metrics}</div>${verdicts(metadata)}</div>`;
}

function verdicts(metadata: ModelMetadata): string {
  const cvName = Object.keys(metadata.metrics).find((k) => /^cv_.*_mean$/.test(k));
  const cv = cvName ? metadata.metrics[cvName] : null;
  const std = cvName ? metadata.metrics[cvName.replace(/_mean$/, "_std")] : null;
  const cvText = cv === null || cv === undefined
    ? ""
    : `Cross-validated ${cvName!.slice(3, -5)} ${formatNumber(cv)} ± ${
      formatNumber(std)
    } on the training dates. `;
  return `<p class="verdict">${
    escapeHtml(cvText)
  }<span class="muted">No baseline or previous-model comparison is recorded in this model's metadata.</span></p>`;
}
