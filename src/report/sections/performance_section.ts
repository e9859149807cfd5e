/**
 * The test performance section: every metric, ROC, precision-recall and gain curves (test,
 * and out-of-fold for comparison), score distributions by class, confusion counts at the
 * threshold, and for the ranker NDCG@10 per query group.
 *
 * @module
 */
import { ndcgAt } from "../../metrics/ranking.ts";
import { confusionAt, type CurvePoint, curvePoints } from "../curves.ts";
import { absent, figure, formatNumber, section, table } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import { positiveOf, type ReportInput } from "../report_input.ts";
import { calibrationChart } from "./calibration_chart.ts";
import { perDateCharts } from "./per_date_charts.ts";
import { intervalOf } from "./summary_card.ts";

type Curve = CurvePoint & { set: string };

const SETS = { domain: ["test", "out-of-fold"], range: [COLORS.orange, COLORS.blue], legend: true };

function curves({ metadata, evaluation }: ReportInput): Curve[] {
  const positive = positiveOf(metadata);
  const out: Curve[] = [];
  const test = curvePoints(evaluation!.test.label, evaluation!.test.score, positive);
  test?.forEach((p) => out.push({ ...p, set: "test" }));
  const oof = evaluation!.train.outOfFold;
  if (oof) {
    // Rows never validated (time-ordered folds: the first dates) have no out-of-fold score.
    const rows = Uint32Array.from(oof.keys()).filter((i) => !Number.isNaN(oof[i]));
    const label = Float32Array.from(rows, (i) => evaluation!.train.label[i]);
    const score = Float32Array.from(rows, (i) => oof[i]);
    if (rows.length > 0) {
      curvePoints(label, score, positive)?.forEach((p) => out.push({ ...p, set: "out-of-fold" }));
    }
  }
  return out;
}

function curveCharts(input: ReportInput): string {
  const points = curves(input);
  if (points.length === 0) {
    return absent("The test rows hold a single class: no ROC or precision-recall curve.");
  }
  const square = { width: 360, height: 320, color: SETS };
  const roc = renderPlot("roc", {
    ...square,
    x: { label: "false-positive rate", domain: [0, 1] },
    y: { label: "true-positive rate", domain: [0, 1], grid: true },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: COLORS.grey, strokeDasharray: "3,3" }),
      Plot.line(points, { x: "fpr", y: "tpr", stroke: "set", z: "set" }),
    ],
  });
  const pr = renderPlot("precision-recall", {
    ...square,
    x: { label: "recall", domain: [0, 1] },
    y: { label: "precision", domain: [0, 1], grid: true },
    marks: [
      Plot.line(points.filter((p) => p.tpr > 0), {
        x: "tpr",
        y: "precision",
        stroke: "set",
        z: "set",
      }),
    ],
  });
  const gain = renderPlot("gain", {
    ...square,
    x: { label: "share of alerts reviewed, highest score first", domain: [0, 1] },
    y: { label: "share of positives found", domain: [0, 1], grid: true },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: COLORS.grey, strokeDasharray: "3,3" }),
      Plot.line(points, { x: "reviewed", y: "tpr", stroke: "set", z: "set" }),
    ],
  });
  return `<div class="grid">${figure("ROC curve", roc)}${figure("Precision-recall curve", pr)}${
    figure("Gain curve", gain, "Random order follows the diagonal.")
  }</div>`;
}

function distribution({ metadata, evaluation }: ReportInput): string {
  const { score, label } = evaluation!.test;
  const positive = positiveOf(metadata);
  const positives: number[] = [], negatives: number[] = [];
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < score.length; i++) {
    (positive(label[i]) ? positives : negatives).push(score[i]);
    low = Math.min(low, score[i]);
    high = Math.max(high, score[i]);
  }
  const edges = Array.from({ length: 41 }, (_, i) => low + (high - low) * i / 40);
  const bars = (values: number[], fill: string) =>
    Plot.rectY(values, {
      ...Plot.binX({ y: "proportion" }, { x: (v: number) => v, thresholds: edges }),
      fill,
      fillOpacity: 0.55,
    });
  const threshold = metadata.threshold;
  const chart = renderPlot("score-distribution", {
    x: { label: "score" },
    y: { label: "share of the class's test rows", grid: true, percent: true },
    marks: [
      bars(negatives, COLORS.blue),
      bars(positives, COLORS.red),
      ...(threshold === null
        ? []
        : [Plot.ruleX([threshold], { stroke: COLORS.grey, strokeDasharray: "4,3" })]),
      Plot.ruleY([0]),
    ],
  });
  const legend =
    `<div class="legend"><span><i class="swatch" style="background:${COLORS.blue}"></i>negative (${negatives.length})</span><span><i class="swatch" style="background:${COLORS.red}"></i>positive (${positives.length})</span></div>`;
  return figure(
    "Score distributions by class (test)",
    legend + chart,
    threshold === null ? "" : `Dashed: the threshold ${formatNumber(threshold)}.`,
  );
}

function confusion({ metadata, evaluation }: ReportInput): string {
  if (metadata.threshold === null) return "";
  const c = confusionAt(
    evaluation!.test.label,
    evaluation!.test.score,
    Math.fround(metadata.threshold),
  );
  return `<figure><h3>Confusion counts at the threshold ${
    formatNumber(metadata.threshold)
  } (test)</h3>${
    table(["", "flagged", "not flagged"], [
      ["positive", c.truePositives, c.falseNegatives],
      ["negative", c.falsePositives, c.trueNegatives],
    ])
  }<figcaption>The threshold maximises F1 on the out-of-fold predictions of the training rows; the test rows did not choose it.</figcaption></figure>`;
}

function perGroup({ evaluation }: ReportInput): string {
  const { label, score, group } = evaluation!.test;
  if (!group) return "";
  const values: { ndcg: number }[] = [];
  for (let start = 0; start < group.length;) {
    let end = start + 1;
    while (end < group.length && group[end] === group[start]) end++;
    const zero = new Int32Array(end - start);
    values.push({ ndcg: ndcgAt(label.subarray(start, end), score.subarray(start, end), zero, 10) });
    start = end;
  }
  const chart = renderPlot("ndcg-per-group", {
    x: { label: "NDCG@10 of a query group", domain: [0, 1] },
    y: { label: "query groups", grid: true },
    marks: [
      Plot.rectY(values, {
        ...Plot.binX({ y: "count" }, { x: "ndcg", thresholds: 20 }),
        fill: COLORS.teal,
      }),
      Plot.ruleY([0]),
    ],
  });
  return figure("NDCG@10 per query group (test)", chart, `${values.length} query groups.`);
}

function metricsTable({ metadata }: ReportInput): string {
  const rows = Object.entries(metadata.metrics).map(([name, value]) => {
    const interval = intervalOf(metadata, name);
    return [
      name,
      { html: `<span class="num">${formatNumber(value)}</span>` },
      interval ? `[${formatNumber(interval.low)}, ${formatNumber(interval.high)}]` : "",
    ];
  });
  return `<details open><summary>Every metric (95% intervals: bootstrap over test dates)</summary>${
    table(["metric", "value", "95% interval"], rows)
  }</details>`;
}

/** Renders the test performance section. */
export function performanceSection(input: ReportInput): string {
  const body = input.evaluation
    ? `${curveCharts(input)}<div class="grid">${distribution(input)}${calibrationChart(input)}${
      perGroup(input)
    }${confusion(input)}</div>`
    : absent("No evaluation data is kept for this model: no curves.");
  return section(
    "performance",
    "Test performance",
    `${metricsTable(input)}${perDateCharts(input)}${body}`,
  );
}
