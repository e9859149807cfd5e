/**
 * The data section: labelled rows and positive rate per processing date, the train and
 * test parts shaded, and the features found missing or constant.
 *
 * @module
 */
import { absent, figure, section } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import { dayText, positiveOf, type ReportInput } from "../report_input.ts";

interface DayRow {
  date: Date;
  part: "train" | "test";
  rows: number;
  positiveRate: number;
}

function perDay(
  label: Float32Array,
  date: Int32Array,
  part: DayRow["part"],
  positive: (y: number) => boolean,
): DayRow[] {
  const rows = new Map<number, [number, number]>();
  for (let i = 0; i < label.length; i++) {
    const entry = rows.get(date[i]) ?? [0, 0];
    entry[0]++;
    if (positive(label[i])) entry[1]++;
    rows.set(date[i], entry);
  }
  return [...rows].sort((a, b) => a[0] - b[0]).map(([day, [n, p]]) => ({
    date: new Date(`${dayText(day)}T00:00:00Z`),
    part,
    rows: n,
    positiveRate: p / n,
  }));
}

/** Renders the data section. */
export function dataSection({ metadata, evaluation }: ReportInput): string {
  if (!evaluation) {
    return section("data", "Data", absent("No evaluation data is kept for this model."));
  }
  const positive = positiveOf(metadata);
  const days = [
    ...perDay(evaluation.train.label, evaluation.train.date, "train", positive),
    ...perDay(evaluation.test.label, evaluation.test.date, "test", positive),
  ];
  const color = { domain: ["train", "test"], range: [COLORS.blue, COLORS.orange], legend: true };
  const rows = renderPlot("rows-per-date", {
    color,
    x: { type: "utc", label: "processing date" },
    y: { label: "labelled rows", grid: true },
    marks: [
      Plot.rectY(days, { x: "date", interval: "day", y: "rows", fill: "part", inset: 0.5 }),
      Plot.ruleY([0]),
    ],
  });
  const rate = renderPlot("positive-rate-per-date", {
    color,
    x: { type: "utc", label: "processing date" },
    y: { label: "positive rate (%)", grid: true, percent: true },
    marks: [
      Plot.lineY(days, { x: "date", y: "positiveRate", stroke: "part" }),
      Plot.dot(days, { x: "date", y: "positiveRate", fill: "part", r: 2 }),
      Plot.ruleY([0]),
    ],
  });
  const { allMissing, constant } = evaluation.featureChecks;
  const list = (names: readonly string[]) => names.length ? names.join(", ") : "none";
  const checks = `<p><b>Missing on every labelled row:</b> ${list(allMissing)}</p>` +
    `<p><b>Constant on every labelled row:</b> ${list(constant)}</p>` +
    (metadata.missing_feature_columns
      ? `<p><b>Optional source columns absent (their features left out):</b> ${
        list(metadata.missing_feature_columns)
      }</p>`
      : absent(
        "Optional source columns absent from the data are not recorded in this model's metadata.",
      ));
  return section(
    "data",
    "Data",
    `<div class="grid">${
      figure(
        "Labelled rows per processing date",
        rows,
        `Train ${metadata.split.train_start_date} to ${metadata.split.train_end_date}; test ${metadata.split.test_start_date} to ${metadata.split.test_end_date}.`,
      )
    }${figure("Positive rate per processing date", rate)}</div>${checks}`,
  );
}
