/**
 * The reliability diagram of a binary model on its test rows: observed positive rate
 * against mean predicted probability in ten score bins, before and after the calibration
 * fitted on out-of-fold predictions.
 *
 * @module
 */
import { applyCalibration } from "../../metrics/calibration.ts";
import { figure } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import type { ReportInput } from "../report_input.ts";

const BINS = 10;

function reliability(label: Float32Array, p: ArrayLike<number>, set: string) {
  const sum = new Float64Array(BINS), hits = new Float64Array(BINS), count = new Float64Array(BINS);
  for (let i = 0; i < label.length; i++) {
    const b = Math.min(BINS - 1, Math.floor(p[i] * BINS));
    sum[b] += p[i];
    hits[b] += label[i];
    count[b]++;
  }
  const points = [];
  for (let b = 0; b < BINS; b++) {
    if (count[b] > 0) {
      points.push({
        set,
        predicted: sum[b] / count[b],
        observed: hits[b] / count[b],
        rows: count[b],
      });
    }
  }
  return points;
}

/** The reliability diagram (binary models with evaluation data; empty otherwise). */
export function calibrationChart({ metadata, evaluation }: ReportInput): string {
  if (metadata.model_type === "alert_ranker") return "";
  if (!evaluation) return "";
  const { label, score } = evaluation.test;
  const points = reliability(label, score, "model");
  const calibration = metadata.calibration;
  if (calibration) {
    points.push(
      ...reliability(
        label,
        applyCalibration(calibration, score),
        `calibrated (${calibration.method})`,
      ),
    );
  }
  const sets = [...new Set(points.map((p) => p.set))];
  const chart = renderPlot("calibration", {
    width: 420,
    height: 360,
    x: { label: "mean predicted probability", domain: [0, 1] },
    y: { label: "observed positive rate", domain: [0, 1], grid: true },
    color: { domain: sets, range: [COLORS.blue, COLORS.green], legend: true },
    r: { range: [2, 7] },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: COLORS.grey, strokeDasharray: "3,3" }),
      Plot.line(points, { x: "predicted", y: "observed", stroke: "set", z: "set" }),
      Plot.dot(points, { x: "predicted", y: "observed", fill: "set", r: "rows" }),
    ],
  });
  const m = metadata.metrics;
  const ece = typeof m.test_ece === "number"
    ? ` ECE ${m.test_ece.toFixed(3)}${
      typeof m.test_ece_calibrated === "number"
        ? ` before, ${m.test_ece_calibrated.toFixed(3)} after`
        : ""
    }.`
    : "";
  return figure(
    "Calibration on the test rows",
    chart,
    `${BINS} bins by predicted probability; dot size: rows.${ece}${
      calibration ? "" : " No calibration is recorded for this model."
    }`,
  );
}
