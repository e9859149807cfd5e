/**
 * Labels and weights per DATA_CONTRACT.md, from the as-of labels `extract` joined to each
 * alert. This is the only module that reads the labels table; no feature comes from it.
 *
 * - `alert_scorer`: 1 for risk_level high or critical, 0 for low or medium;
 * - `alert_ranker`: relevance grade low 0, medium 1, high 2, critical 3;
 * - `cluster_scorer`: 1 when any member alert is positive, 0 when members are labelled
 *   and none is positive;
 * - unlabelled rows: label NaN (kept for scoring, never trained on), weight NaN;
 * - weight: the label's confidence_score (a cluster: the highest confidence among the
 *   members that agree with the cluster's label).
 *
 * @module
 */
import type { Table } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../errors.ts";
import type { ModelType } from "../types.ts";
import { dayColumn, numberColumn, stringColumn } from "./arrow_columns.ts";
import { levelCodes } from "./levels.ts";

/** Label and weight per row. */
export interface RowLabels {
  /** Label per row; NaN = unlabelled. */
  label: Float32Array;
  /** Weight per row; NaN for unlabelled rows. */
  weight: Float32Array;
}

/** Risk grade (0..3, NaN unlabelled) and label confidence per alert. */
export interface AlertGrades {
  /** Grade low 0, medium 1, high 2, critical 3; NaN when the alert has no label. */
  grade: Float64Array;
  /** The label's confidence_score; NaN when the alert has no label. */
  confidence: Float64Array;
}

/** Whether two tables hold the very same Arrow data for `name` (extract's labels do). */
function sameColumn(a: Table, b: Table, name: string): boolean {
  const x = a.getChild(name)?.data ?? [];
  const y = b.getChild(name)?.data ?? [];
  return x.length > 0 && x.length === y.length && x.every((data, k) => data === y[k]);
}

/**
 * Reads each alert's risk grade and confidence from the labels table, which must list the
 * same alerts in the same order as the alerts table (checked by value unless both share
 * their Arrow data, as extract's do) (`DATA_INVALID` otherwise, as for an
 * unknown risk_level or a confidence that is not a finite number >= 0).
 */
export function alertGrades(
  labels: Table,
  alerts: Table,
  alertIds: readonly string[],
  alertDays: Int32Array,
): AlertGrades {
  const n = alertIds.length;
  if (labels.numRows !== n) {
    throw new RiskTrainError(
      "DATA_INVALID",
      "The labels table has " + labels.numRows + " rows for " + n + " alerts",
    );
  }
  if (!sameColumn(labels, alerts, "alert_id") || !sameColumn(labels, alerts, "processing_date")) {
    const ids = stringColumn(labels, "alert_id", "labels");
    const days = dayColumn(labels, "processing_date", "labels");
    for (let i = 0; i < n; i++) {
      if (ids[i] !== alertIds[i] || days[i] !== alertDays[i]) {
        throw new RiskTrainError(
          "DATA_INVALID",
          "The labels table is not in the alerts' order at row " + i + ": " + ids[i] + " for " +
            alertIds[i],
        );
      }
    }
  }
  const found = numberColumn(labels, "label_found", "labels");
  const levels = stringColumn(labels, "label_risk_level", "labels");
  const scores = numberColumn(labels, "label_confidence_score", "labels");
  const labelled: string[] = [];
  for (let i = 0; i < n; i++) if (found[i] === 1) labelled.push(levels[i]);
  const codes = levelCodes(labelled, "raw_address_labels.risk_level");
  const grade = new Float64Array(n).fill(NaN);
  const confidence = new Float64Array(n).fill(NaN);
  for (let i = 0, k = 0; i < n; i++) {
    if (found[i] !== 1) continue;
    const score = scores[i];
    if (!Number.isFinite(score) || score < 0) {
      throw new RiskTrainError(
        "DATA_INVALID",
        "Invalid raw_address_labels.confidence_score for alert " + alertIds[i] + ": " + score +
          " (expected a finite number >= 0)",
      );
    }
    grade[i] = codes[k++];
    confidence[i] = score;
  }
  return { grade, confidence };
}

/**
 * Labels and weights of alert rows for `alert_scorer` (binary) or `alert_ranker` (grades).
 *
 * @example
 * ```ts
 * import { alertLabels } from "./labels.ts";
 * const rows = alertLabels({ grade: Float64Array.of(3, 1, NaN), confidence: Float64Array.of(0.5, 1, NaN) }, "alert_scorer");
 * console.assert(rows.label[0] === 1 && rows.label[1] === 0 && Number.isNaN(rows.label[2]));
 * ```
 */
export function alertLabels(grades: AlertGrades, modelType: ModelType): RowLabels {
  const n = grades.grade.length;
  const label = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const grade = grades.grade[i];
    label[i] = modelType === "alert_ranker" || grade !== grade ? grade : grade >= 2 ? 1 : 0;
  }
  return { label, weight: Float32Array.from(grades.confidence) };
}

/**
 * Labels and weights of cluster rows from their member alerts' grades.
 *
 * @example
 * ```ts
 * import { clusterLabels } from "./labels.ts";
 * const grades = { grade: Float64Array.of(3, 0, NaN), confidence: Float64Array.of(0.5, 1, NaN) };
 * const rows = clusterLabels(grades, [[0, 1], [1, 2], [2]]);
 * console.assert(rows.label.join() === "1,0,NaN" && rows.weight[0] === 0.5);
 * ```
 */
export function clusterLabels(grades: AlertGrades, members: readonly number[][]): RowLabels {
  const label = new Float32Array(members.length).fill(NaN);
  const weight = new Float32Array(members.length).fill(NaN);
  members.forEach((rows, c) => {
    let positive = -1;
    let negative = -1;
    for (const row of rows) {
      const grade = grades.grade[row];
      const confidence = grades.confidence[row];
      if (grade !== grade) continue;
      if (grade >= 2) positive = Math.max(positive, confidence);
      else negative = Math.max(negative, confidence);
    }
    if (positive >= 0) {
      label[c] = 1;
      weight[c] = positive;
    } else if (negative >= 0) {
      label[c] = 0;
      weight[c] = negative;
    }
  });
  return { label, weight };
}
