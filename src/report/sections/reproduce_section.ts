/**
 * The reproduction section: hyperparameters, seed, versions, fingerprints and the command
 * that trains the same model again.
 *
 * @module
 */
import type { ModelMetadata } from "../../types.ts";
import { escapeHtml, section, table } from "../html.ts";
import { detail, type ReportInput } from "../report_input.ts";

/** The `deno task train` command that retrains a model from its metadata. */
export function reproducingCommand(metadata: ModelMetadata): string {
  const search = detail(metadata, "search");
  const cv = detail(metadata, "cv");
  const parts = [
    "deno task train",
    `--network ${metadata.network}`,
    `--database ${metadata.database}`,
    `--start-date ${metadata.training_period.start_date}`,
    `--end-date ${metadata.training_period.end_date}`,
    `--window-days ${metadata.window_days}`,
    `--model-type ${metadata.model_type}`,
    `--test-start-date ${metadata.split.test_start_date}`,
    ...(search?.trials !== undefined ? [`--trials ${search.trials}`] : []),
    ...(cv?.folds !== undefined ? [`--folds ${cv.folds}`] : []),
    `--seed ${metadata.seed}`,
    "--force",
  ];
  return parts.join(" \\\n  ");
}

/** Renders the reproduction section. */
export function reproduceSection({ metadata }: ReportInput): string {
  const params = Object.entries(metadata.hyperparameters).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
  const facts = table(["", ""], [
    ["seed", String(metadata.seed)],
    ["LightGBM", metadata.lightgbm_version],
    ["risktrain", metadata.toolkit_version],
    ["data fingerprint", metadata.data_fingerprint],
    ["configuration hash", metadata.config_hash],
    ["model file", metadata.model_file],
    ["model SHA-256", metadata.model_sha256],
    ...Object.entries(metadata.timings_ms).map(([k, v]): [string, string] => [k, `${v} ms`]),
  ]);
  return section(
    "reproduce",
    "Hyperparameters and reproduction",
    `<div class="grid"><div><h3>Hyperparameters</h3>${
      table(["parameter", "value"], params)
    }</div><div><h3>Provenance</h3>${facts}<h3>Reproduce</h3><pre>${
      escapeHtml(reproducingCommand(metadata))
    }</pre></div></div>`,
  );
}
