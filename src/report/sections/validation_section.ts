/**
 * The validation section: the cross-validation curve of the chosen configuration (mean and
 * spread per iteration, chosen round marked) and the search history (every trial and
 * rung, the winner marked).
 *
 * @module
 */
import { absent, figure, formatNumber, section, table } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import { detail, type ReportInput } from "../report_input.ts";
import { foldLayout } from "./fold_layout_chart.ts";

interface Trial {
  rung: number;
  rounds: number;
  trial: number;
  score: number;
  std: number;
  best_iteration: number;
}

function cvCurve({ metadata, evaluation }: ReportInput): string {
  if (!evaluation) return absent("No cross-validation curve is kept for this model.");
  const { metric, mean, std } = evaluation.cvCurve;
  const points = Array.from(
    mean,
    (m, i) => ({ iteration: i + 1, mean: m, low: m - std[i], high: m + std[i] }),
  );
  const chosen = Number(detail(metadata, "cv")?.best_iteration ?? metadata.num_trees);
  const chart = renderPlot("cv-curve", {
    x: { label: "iteration" },
    y: { label: `validation ${metric}`, grid: true },
    marks: [
      Plot.areaY(points, {
        x: "iteration",
        y1: "low",
        y2: "high",
        fill: COLORS.blue,
        fillOpacity: 0.2,
      }),
      Plot.lineY(points, { x: "iteration", y: "mean", stroke: COLORS.blue }),
      Plot.ruleX([chosen], { stroke: COLORS.red, strokeDasharray: "4,3" }),
      Plot.text([chosen], {
        x: (d: number) => d,
        frameAnchor: "top",
        dx: -4,
        textAnchor: "end",
        text: () => `chosen round ${chosen}`,
      }),
    ],
  });
  return figure(
    "Cross-validation curve of the chosen configuration",
    chart,
    `Mean over the folds with ± one standard deviation; the final model trains ${chosen} rounds.`,
  );
}

function searchHistory({ metadata }: ReportInput): string {
  const search = detail(metadata, "search");
  const history = Array.isArray(search?.history) ? search.history as Trial[] : [];
  if (history.length === 0) return absent("No search history is recorded for this model.");
  const chosen = Number(search!.chosen_trial);
  const data = history.map((h) => ({ ...h, label: `rung ${h.rung} (${h.rounds} rounds)` }));
  const winner = data.filter((h) => h.trial === chosen);
  const chart = renderPlot("search-history", {
    x: { label: "trial", ticks: [...new Set(history.map((h) => h.trial))], tickFormat: "d" },
    y: { label: `cross-validated ${detail(metadata, "cv")?.metric ?? "score"}`, grid: true },
    color: { legend: true, scheme: "viridis", type: "ordinal" },
    marks: [
      Plot.ruleX(data, {
        x: "trial",
        y1: (h: Trial) => h.score - h.std,
        y2: (h: Trial) => h.score + h.std,
        stroke: "label",
        strokeOpacity: 0.5,
      }),
      Plot.dot(data, { x: "trial", y: "score", fill: "label", r: 4 }),
      Plot.dot(winner, { x: "trial", y: "score", r: 8, stroke: COLORS.red, strokeWidth: 2 }),
    ],
  });
  const rows = history.map((h) => [
    h.trial,
    h.rung,
    h.rounds,
    formatNumber(h.score),
    formatNumber(h.std),
    h.best_iteration,
    h.trial === chosen ? "winner" : "",
  ]);
  return figure(
    "Search history",
    chart,
    `${search!.method ?? "search"}: ${history.length} evaluations; trial ${chosen} won (circled).`,
  ) +
    `<details><summary>Every trial and rung</summary>${
      table(["trial", "rung", "rounds", "score", "std", "best iteration", ""], rows)
    }</details>`;
}

/** Renders the validation section. */
export function validationSection(input: ReportInput): string {
  const cv = detail(input.metadata, "cv");
  const settings = cv
    ? `<p>${cv.folds} folds (${
      cv.scheme ?? (cv.grouped ? "grouped" : "stratified")
    }), early stopping after ${cv.early_stopping_rounds} rounds without improvement.</p>`
    : absent("No cross-validation settings are recorded for this model.");
  return section(
    "validation",
    "Validation",
    `${settings}${foldLayout(input)}<div class="grid">${cvCurve(input)}${
      searchHistory(input)
    }</div>`,
  );
}
