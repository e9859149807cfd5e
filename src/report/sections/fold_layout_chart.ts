/**
 * The fold layout over dates: for each cross-validation fold, the dates it fits on and the
 * dates it validates on, beside the held-out test dates.
 *
 * @module
 */
import { absent, figure } from "../html.ts";
import { COLORS, Plot, renderPlot } from "../_plot.ts";
import { detail, type ReportInput } from "../report_input.ts";
import type { TimeFoldDates } from "../../types.ts";

const day = (date: string, end = false) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + (end ? 86_400_000 : 0));

/** The fold layout chart, or a note when the folds are not laid out by date. */
export function foldLayout({ metadata }: ReportInput): string {
  const cv = detail(metadata, "cv");
  const folds = Array.isArray(cv?.fold_dates) ? cv.fold_dates as TimeFoldDates[] : [];
  if (!folds.every((f) => typeof f.fit_start_date === "string") || folds.length === 0) {
    return absent(
      `The ${cv?.scheme ?? ""} folds are not laid out by date: ${
        cv?.scheme_description ?? "rows are dealt at random"
      }.`,
    );
  }
  const bars = folds.flatMap((f, i) => [
    {
      fold: `fold ${i + 1}`,
      part: "fit",
      start: day(f.fit_start_date),
      end: day(f.fit_end_date, true),
      rows: f.fit_rows,
    },
    {
      fold: `fold ${i + 1}`,
      part: "validate",
      start: day(f.valid_start_date),
      end: day(f.valid_end_date, true),
      rows: f.valid_rows,
    },
  ]);
  const { split } = metadata;
  bars.push({
    fold: "final",
    part: "fit",
    start: day(split.train_start_date),
    end: day(split.train_end_date, true),
    rows: split.train_rows,
  });
  bars.push({
    fold: "final",
    part: "test",
    start: day(split.test_start_date),
    end: day(split.test_end_date, true),
    rows: split.test_rows,
  });
  const chart = renderPlot("fold-layout", {
    height: 60 + 28 * (folds.length + 1),
    marginLeft: 60,
    x: { type: "utc", label: "processing date" },
    y: { label: null, domain: [...folds.map((_, i) => `fold ${i + 1}`), "final"] },
    color: {
      domain: ["fit", "validate", "test"],
      range: [COLORS.blue, COLORS.teal, COLORS.orange],
      legend: true,
    },
    marks: [
      Plot.barX(bars, { x1: "start", x2: "end", y: "fold", fill: "part", inset: 2 }),
      Plot.text(bars, {
        x: (b: { start: Date; end: Date }) => new Date((+b.start + +b.end) / 2),
        y: "fold",
        text: (b: { rows: number }) => String(b.rows),
        fill: "white",
        fontSize: 10,
      }),
    ],
  });
  const gap = cv?.gap_days
    ? ` A gap of ${cv.gap_days} days separates fitting from validation.`
    : "";
  return figure(
    "Fold layout over dates",
    chart,
    `${cv?.scheme_description ?? ""}.${gap} Numbers: labelled rows.`,
  );
}
