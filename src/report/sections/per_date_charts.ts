/**
 * Per test date: the headline metric and precision at the alert budget, each with the
 * overall value and its bootstrap interval, and a table of every metric per date.
 *
 * @module
 */
import type { ModelMetadata } from "../../types.ts";
import { absent, figure, formatNumber, table } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import type { ReportInput } from "../report_input.ts";
import { headlineMetrics, intervalOf } from "./summary_card.ts";

interface DateEvaluation {
  date: string;
  rows: number;
  positives: number;
  metrics: Record<string, number | null>;
}

function perDate(metadata: ModelMetadata): DateEvaluation[] {
  const evaluation = metadata.details.evaluation as { per_date?: DateEvaluation[] } | undefined;
  return Array.isArray(evaluation?.per_date) ? evaluation.per_date : [];
}

function metricChart(
  metadata: ModelMetadata,
  days: DateEvaluation[],
  name: string,
  chart: string,
): string {
  const points = days.filter((d) =>
    typeof d.metrics[name] === "number" && Number.isFinite(d.metrics[name])
  )
    .map((d) => ({
      date: new Date(`${d.date}T00:00:00Z`),
      value: d.metrics[name] as number,
      rows: d.rows,
    }));
  if (points.length === 0) return "";
  const overall = metadata.metrics[name];
  const interval = intervalOf(metadata, name);
  const svg = renderPlot(chart, {
    x: { type: "utc", label: "test processing date" },
    y: { label: name, grid: true },
    marks: [
      ...(interval
        ? [
          Plot.rectY([interval], { y1: "low", y2: "high", fill: COLORS.orange, fillOpacity: 0.15 }),
        ]
        : []),
      ...(typeof overall === "number"
        ? [Plot.ruleY([overall], { stroke: COLORS.orange, strokeDasharray: "4,3" })]
        : []),
      Plot.lineY(points, { x: "date", y: "value", stroke: COLORS.blue }),
      Plot.dot(points, { x: "date", y: "value", fill: COLORS.blue, r: 3 }),
    ],
  });
  const caption = `Dots: each test date. Dashed: over all test dates${
    interval
      ? `; band: its 95% interval [${formatNumber(interval.low)}, ${
        formatNumber(interval.high)
      }] (bootstrap over dates)`
      : ""
  }.`;
  return figure(`${name} per test date`, svg, caption);
}

/** The per-date charts and table, or a note when the metadata has no per-date metrics. */
export function perDateCharts({ metadata }: ReportInput): string {
  const days = perDate(metadata);
  if (days.length === 0) {
    return absent("Per-date metrics are not recorded in this model's metadata.");
  }
  const headline = headlineMetrics(metadata.model_type)[0];
  const budgetMetric = metadata.model_type === "alert_ranker"
    ? "test_precision@10"
    : "test_precision_at_budget";
  const method = (metadata.details.evaluation as { method?: { alert_budget?: number } }).method;
  const budget = method?.alert_budget ? ` (top ${method.alert_budget} alerts a day)` : "";
  const names = Object.keys(days[0].metrics).filter((k) =>
    !k.startsWith("baseline_") && !k.startsWith("lift_")
  );
  const rows = days.map((
    d,
  ) => [d.date, d.rows, d.positives, ...names.map((n) => formatNumber(d.metrics[n]))]);
  return `<div class="grid">${metricChart(metadata, days, headline, "per-date-metric")}${
    metricChart(metadata, days, budgetMetric, "precision-at-budget")
  }</div><p class="muted">Precision at the alert budget${budget}.</p><details><summary>Every metric per test date</summary>${
    table(["date", "rows", "positives", ...names], rows)
  }</details>`;
}
