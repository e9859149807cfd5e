/**
 * Artifact file names: `<model_type>_v<version>_<YYYYmmdd_HHMMSS>.txt` and `.json`, and the
 * files beside them: `.html` (the report) and `.evaluation.json.gz` (what it plots).
 *
 * @module
 */
import type { ModelType } from "../types.ts";

const STEM = /^(alert_scorer|alert_ranker|cluster_scorer)_v([1-9]\d*)_(\d{8}_\d{6})$/;

/** `YYYYmmdd_HHMMSS` of a date, in UTC. */
export function fileTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2024-01-31T12:34:56.789Z
  return iso.slice(0, 10).replaceAll("-", "") + "_" + iso.slice(11, 19).replaceAll(":", "");
}

/** The file stem of a model: `alert_scorer_v3_20240131_123456`. */
export function artifactStem(modelType: ModelType, version: number, date: Date): string {
  return `${modelType}_v${version}_${fileTimestamp(date)}`;
}

/** Parses a file name (`.txt` or `.json`) as an artifact name, or returns null. */
export function parseArtifactName(
  name: string,
): { stem: string; modelType: ModelType; version: number; extension: "txt" | "json" } | null {
  const dot = name.lastIndexOf(".");
  const extension = name.slice(dot + 1);
  if (dot < 0 || (extension !== "txt" && extension !== "json")) return null;
  const match = STEM.exec(name.slice(0, dot));
  if (!match) return null;
  return {
    stem: match[0],
    modelType: match[1] as ModelType,
    version: Number(match[2]),
    extension,
  };
}

/** The evaluation artifact's file name of a model stem. */
export function evaluationFileName(stem: string): string {
  return `${stem}.evaluation.json.gz`;
}

/** The report's file name of a model stem. */
export function reportFileName(stem: string): string {
  return `${stem}.html`;
}

/**
 * The path of a file beside a model, given the path of its `.json` or `.txt` and the file's
 * name for the model's stem (`evaluationFileName`, `reportFileName`).
 */
export function siblingPath(modelPath: string, name: (stem: string) => string): string {
  const slash = modelPath.lastIndexOf("/");
  const stem = modelPath.slice(slash + 1).replace(/\.(json|txt)$/, "");
  return modelPath.slice(0, slash + 1) + name(stem);
}
