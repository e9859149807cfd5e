/**
 * The explanations section: feature importance by gain (top 30), and a SHAP summary of
 * the sampled test rows: mean |SHAP| per feature and a beeswarm of the top 20.
 *
 * @module
 */
import { describeFeature } from "../../contract/feature_descriptions.ts";
import { absent, figure, section, table } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import type { ReportInput } from "../report_input.ts";

/** Features in the importance chart. */
export const IMPORTANCE_TOP = 30;

function importance({ metadata }: ReportInput): string {
  const top = [...metadata.feature_importance].sort((a, b) =>
    b.gain - a.gain || a.name.localeCompare(b.name)
  )
    .slice(0, IMPORTANCE_TOP).filter((f) => f.gain > 0);
  if (top.length === 0) return absent("No feature has any gain: the model made no split.");
  const chart = renderPlot("importance", {
    height: 40 + 16 * top.length,
    marginLeft: 230,
    x: { label: "total gain", grid: true },
    y: { label: null, domain: top.map((f) => f.name) },
    marks: [
      Plot.barX(top, {
        x: "gain",
        y: "name",
        fill: COLORS.blue,
        title: (f: { name: string }) => describeFeature(f.name),
      }),
      Plot.ruleX([0]),
    ],
  });
  const total = metadata.feature_importance.reduce((sum, f) => sum + f.gain, 0);
  const described = table(
    ["feature", "share of gain", "what it is (feature catalogue)"],
    top.map((f) => [f.name, `${(100 * f.gain / total).toFixed(1)}%`, describeFeature(f.name)]),
  );
  return figure(
    `Feature importance by gain (top ${top.length})`,
    chart,
    "Total gain of the splits on each feature in the final model.",
  ) + `<details><summary>The top features and what they are</summary>${described}</details>`;
}

/** A fixed jitter in [-0.4, 0.4) of row r, so that the beeswarm is the same on every build. */
function jitter(r: number): number {
  let h = Math.imul(r + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return ((h ^ (h >>> 13)) >>> 0) / 2 ** 32 * 0.8 - 0.4;
}

function shapCharts({ metadata, evaluation }: ReportInput): string {
  const shap = evaluation?.shap;
  if (!shap) return absent("No SHAP values are kept for this model.");
  const names = metadata.feature_names;
  const bars = Array.from(shap.meanAbs, (v, j) => ({ name: names[j], value: v }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name)).slice(
      0,
      shap.features.length,
    );
  const bar = renderPlot("shap-mean", {
    height: 40 + 16 * bars.length,
    marginLeft: 230,
    x: { label: "mean |SHAP| (raw score)", grid: true },
    y: { label: null, domain: bars.map((b) => b.name) },
    marks: [Plot.barX(bars, { x: "value", y: "name", fill: COLORS.teal }), Plot.ruleX([0])],
  });
  const k = shap.features.length;
  // Colour: the row's value of the feature as a rank among the sampled rows (0 low, 1 high).
  const dots: { x: number; y: number; rank: number | null }[] = [];
  for (let t = 0; t < k; t++) {
    const present: number[] = [];
    for (let r = 0; r < shap.rows; r++) {
      if (!Number.isNaN(shap.featureValues[r * k + t])) {
        present.push(shap.featureValues[r * k + t]);
      }
    }
    present.sort((a, b) => a - b);
    const rank = (v: number) => {
      let lo = 0, hi = present.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (present[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      return present.length > 1 ? lo / (present.length - 1) : 0.5;
    };
    for (let r = 0; r < shap.rows; r++) {
      const v = shap.featureValues[r * k + t];
      dots.push({
        x: shap.values[r * k + t],
        y: t + jitter(r),
        rank: Number.isNaN(v) ? null : rank(v),
      });
    }
  }
  const swarm = renderPlot("shap-beeswarm", {
    height: 40 + 26 * k,
    marginLeft: 230,
    x: { label: "SHAP value (raw score; right raises the score)", grid: true },
    y: {
      label: null,
      domain: [k - 0.5, -0.5],
      ticks: Array.from({ length: k }, (_, t) => t),
      tickFormat: (t: number) => shap.features[t] ?? "",
    },
    color: {
      type: "linear",
      range: [COLORS.blue, COLORS.red],
      domain: [0, 1],
      unknown: COLORS.grey,
    },
    marks: [
      Plot.ruleX([0], { stroke: COLORS.grey }),
      Plot.dot(dots, { x: "x", y: "y", fill: "rank", r: 1.6, fillOpacity: 0.7 }),
    ],
  });
  const legend =
    `<div class="legend"><span><i class="swatch" style="background:${COLORS.blue}"></i>low feature value</span><span><i class="swatch" style="background:${COLORS.red}"></i>high</span><span><i class="swatch" style="background:${COLORS.grey}"></i>missing</span></div>`;
  return `<div class="grid">${
    figure(`Mean |SHAP| (top ${bars.length})`, bar, `Over ${shap.rows} sampled test rows.`)
  }${
    figure(`SHAP beeswarm (top ${k})`, legend + swarm, "One dot per sampled test row and feature.")
  }</div>`;
}

/** Renders the explanations section. */
export function explanationsSection(input: ReportInput): string {
  return section(
    "explanations",
    "Explanations",
    `<div class="grid">${importance(input)}</div>${shapCharts(input)}` +
      `<p class="muted">Hover a bar for the feature's description; every feature is in docs/FEATURES.md.</p>`,
  );
}
