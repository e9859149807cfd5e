/**
 * `renderReport`: a model's self-contained HTML report. Inline CSS and SVG only (charts by
 * Observable Plot, rendered at build time), no script, no network: it opens from disk or
 * an e-mail attachment, follows the reader's light or dark preference, and prints.
 *
 * @module
 */
import type { EvaluationData, ModelMetadata } from "../types.ts";
import { escapeHtml, section } from "./html.ts";
import { REPORT_CSS } from "./report_style.ts";
import { dataSection } from "./sections/data_section.ts";
import { explanationsSection } from "./sections/explanations_section.ts";
import { performanceSection } from "./sections/performance_section.ts";
import { reproduceSection } from "./sections/reproduce_section.ts";
import { summaryCard } from "./sections/summary_card.ts";
import { validationSection } from "./sections/validation_section.ts";

/** The report's sections: id and title, in order. */
export const REPORT_SECTIONS = [
  ["summary", "Summary"],
  ["data", "Data"],
  ["validation", "Validation"],
  ["performance", "Test performance"],
  ["explanations", "Explanations"],
  ["reproduce", "Hyperparameters and reproduction"],
] as const;

/**
 * The HTML report of a model from its metadata and, when kept, its evaluation data
 * (without it, the sections that need it say so).
 *
 * @example
 * ```ts ignore
 * const html = renderReport(saved.metadata, model.evaluation ?? null);
 * ```
 */
export function renderReport(metadata: ModelMetadata, evaluation: EvaluationData | null): string {
  const input = { metadata, evaluation };
  const nav = REPORT_SECTIONS.map(([id, title]) => `<a href="#${id}">${escapeHtml(title)}</a>`)
    .join("");
  const body = [
    section("summary", "Summary", summaryCard(metadata)),
    dataSection(input),
    validationSection(input),
    performanceSection(input),
    explanationsSection(input),
    reproduceSection(input),
  ].join("\n");
  const title = `${metadata.model_id}: ${metadata.model_type} on ${metadata.network}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="subtitle">risktrain ${
    escapeHtml(metadata.toolkit_version)
  } training report, model saved ${escapeHtml(metadata.timestamp)}</p><nav>${nav}</nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}
