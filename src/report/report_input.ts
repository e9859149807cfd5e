/**
 * What every report section reads: the model's metadata and, when kept, its evaluation
 * data; plus facts derived from them that several sections share.
 *
 * @module
 */
import type { EvaluationData, ModelMetadata } from "../types.ts";

/** A report's input. */
export interface ReportInput {
  /** The model's metadata. */
  metadata: ModelMetadata;
  /** The evaluation artifact's data, or null when the model has none. */
  evaluation: EvaluationData | null;
}

/** Whether a label counts as positive for the model type (ranker: grade >= 2). */
export function positiveOf(metadata: ModelMetadata): (label: number) => boolean {
  return metadata.model_type === "alert_ranker" ? (y) => y >= 2 : (y) => y === 1;
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** The day number of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** A record field of the metadata's details, or undefined. */
export function detail(metadata: ModelMetadata, key: string): Record<string, unknown> | undefined {
  const value = metadata.details[key];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}
