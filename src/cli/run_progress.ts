/**
 * A training run's progress as bars: extraction (rows received against the rows ClickHouse
 * counted), the search (boosting rounds against the successive-halving schedule's budget),
 * the final fit and the out-of-fold threshold fits, each its own bar.
 *
 * @module
 */
import type { RunProgress } from "../run_training.ts";
import type { ProgressDisplay } from "./progress.ts";

const TABLES: Readonly<Record<string, string>> = {
  alerts: "alerts",
  features: "features",
  moneyFlows: "money flows",
  clusters: "clusters",
};

/**
 * Returns an `onProgress` for one `runTraining` that draws `display`'s bars; a stage's bar
 * ends when its work is done or the next stage begins.
 *
 * @example
 * ```ts
 * import { runProgressBars } from "./run_progress.ts";
 * import { progressDisplay } from "./progress.ts";
 * const onProgress = runProgressBars(progressDisplay());
 * onProgress({ phase: "extract", progress: { table: "alerts", rows: 5, bytes: 80, expectedRows: 10 } });
 * ```
 */
export function runProgressBars(display: ProgressDisplay): (event: RunProgress) => void {
  let current = "";
  const ended = new Set<string>();
  const end = (key: string) => {
    ended.add(key);
    display.end(key);
  };
  const show = (key: string, label: string, done: number, total: number, unit: string) => {
    if (ended.has(key)) return;
    if (key !== current) {
      // The search ends before the final fits begin; the final fit and the threshold fits
      // run side by side.
      if (
        current !== "" && !(current === "final" && key === "threshold") &&
        !(current === "threshold" && key === "final")
      ) {
        end(current);
      }
      current = key;
    }
    display.update(key, { label, done, total, unit });
    if (total > 0 && done >= total) end(key);
  };
  return (event) => {
    if (event.phase === "extract") {
      const { table, rows, expectedRows } = event.progress;
      show("extract", `Extracting ${TABLES[table] ?? table}`, rows, expectedRows, "rows");
      return;
    }
    const { stage, rung, done, total } = event.progress;
    if (stage === "search") show("search", `Searching (rung ${rung})`, done, total, "rounds");
    else if (stage === "final") show("final", "Final fit", done, total, "rounds");
    else show("threshold", "Threshold fits", done, total, "rounds");
  };
}
