/**
 * What the `models` commands print: the registry as a table, one model's summary, and two
 * models side by side. Pure functions from metadata to lines of text.
 *
 * @module
 */
import type { ModelMetadata, RegistryEntry } from "../types.ts";
import {
  cardFacts,
  headlineMetrics,
  intervalOf,
  verdictLines,
} from "../report/sections/summary_card.ts";

/** Lays rows out in columns under a header, two spaces apart; `right` columns align right. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => right.includes(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))
      .join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

function fixed(value: number | null | undefined, digits = 4): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** The model's headline metric: its name and value (test AUC, or NDCG@10 for the ranker). */
export function headlineMetric(metadata: ModelMetadata): [string, number | null] {
  const name = headlineMetrics(metadata.model_type)[0];
  return [name, metadata.metrics[name] ?? null];
}

/** Whether the metadata flags the model as weak: "yes", "no", or "-" when not recorded. */
export function weakFlag(metadata: ModelMetadata): string {
  return typeof metadata.weak === "boolean" ? (metadata.weak ? "yes" : "no") : "-";
}

/** `models list`: one row per model under a header. */
export function modelListLines(entries: readonly RegistryEntry[]): string[] {
  const rows = entries.map(({ metadata: m }) => {
    const [metric, value] = headlineMetric(m);
    return [
      m.model_id,
      m.model_type,
      m.network,
      `${m.window_days}d`,
      `${m.training_period.start_date}..${m.training_period.end_date}`,
      metric,
      fixed(value),
      weakFlag(m),
      m.timestamp.slice(0, 19).replace("T", " "),
    ];
  });
  return textTable(
    ["MODEL ID", "TYPE", "NETWORK", "WINDOW", "RANGE", "METRIC", "VALUE", "WEAK", "CREATED (UTC)"],
    rows,
    [6],
  );
}

/** Features by gain, highest first, with their share of the total gain. */
export function gainShares(
  metadata: ModelMetadata,
): { name: string; gain: number; share: number }[] {
  const total = metadata.feature_importance.reduce((sum, f) => sum + f.gain, 0);
  return [...metadata.feature_importance]
    .sort((a, b) => b.gain - a.gain || a.name.localeCompare(b.name))
    .map((f) => ({ name: f.name, gain: f.gain, share: total > 0 ? f.gain / total : 0 }));
}

/** The files of a model, by role. */
export interface ModelPaths {
  /** The LightGBM text model. */
  model: string;
  /** The metadata. */
  metadata: string;
  /** The HTML report, when it exists. */
  report: string | null;
  /** The evaluation data, when it exists. */
  evaluation: string | null;
}

/** `models show`: the card, every metric, the top features and the paths. */
export function modelShowLines(metadata: ModelMetadata, paths: ModelPaths, top = 15): string[] {
  const lines = [`${metadata.model_id}  ${metadata.model_type} on ${metadata.network}`, ""];
  const facts = cardFacts(metadata).slice(1);
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) lines.push(`  ${k.padEnd(width)}  ${v}`);
  lines.push("");
  for (const { text } of verdictLines(metadata)) lines.push(`  ${text}`);
  lines.push("", "Metrics");
  const metrics = Object.entries(metadata.metrics).map(([k, v]) => {
    const interval = intervalOf(metadata, k);
    return [
      `  ${k}`,
      fixed(v),
      interval ? `[${fixed(interval.low)}, ${fixed(interval.high)}]` : "",
    ];
  });
  lines.push(...textTable(["  name", "value", "95% interval"], metrics, [1]));
  const features = gainShares(metadata).slice(0, top);
  lines.push("", `Top ${features.length} features by gain`);
  lines.push(...textTable(
    ["  #", "feature", "gain", "share"],
    features.map((f, i) => [
      `  ${i + 1}`,
      f.name,
      f.gain.toFixed(1),
      `${(f.share * 100).toFixed(1)}%`,
    ]),
    [0, 2, 3],
  ));
  lines.push("", "Files");
  lines.push(`  model       ${paths.model}`);
  lines.push(`  metadata    ${paths.metadata}`);
  lines.push(`  report      ${paths.report ?? "none (deno task models report MODEL writes it)"}`);
  lines.push(`  evaluation  ${paths.evaluation ?? "none"}`);
  return lines;
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(4)}`;
}

/** `models compare A B`: facts and metrics side by side with B - A, and the features that moved most. */
export function modelCompareLines(a: ModelMetadata, b: ModelMetadata, top = 10): string[] {
  const lines = [`A  ${a.model_id}  (${a.timestamp})`, `B  ${b.model_id}  (${b.timestamp})`, ""];
  const facts = [
    ["type", a.model_type, b.model_type],
    ["network", a.network, b.network],
    ["window", `${a.window_days}d`, `${b.window_days}d`],
    [
      "range",
      `${a.training_period.start_date}..${a.training_period.end_date}`,
      `${b.training_period.start_date}..${b.training_period.end_date}`,
    ],
    [
      "test dates",
      `${a.split.test_start_date}..${a.split.test_end_date}`,
      `${b.split.test_start_date}..${b.split.test_end_date}`,
    ],
    ["labelled rows", String(a.data_stats.num_samples), String(b.data_stats.num_samples)],
    ["trees", String(a.num_trees), String(b.num_trees)],
    ["data fingerprint", a.data_fingerprint, b.data_fingerprint],
  ];
  lines.push(...textTable(["", "A", "B"], facts));
  if (
    a.split.test_start_date !== b.split.test_start_date || a.data_fingerprint !== b.data_fingerprint
  ) {
    lines.push("  (different data or test dates: metric differences mix model and data)");
  }
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])];
  const rows = names.map((name) => {
    const x = a.metrics[name], y = b.metrics[name];
    const both = typeof x === "number" && typeof y === "number";
    return [name, fixed(x), fixed(y), both ? signed(y! - x!) : "-"];
  });
  lines.push("", "Metrics", ...textTable(["metric", "A", "B", "B - A"], rows, [1, 2, 3]));
  const shareA = new Map(gainShares(a).map((f, i) => [f.name, { ...f, rank: i + 1 }]));
  const shareB = new Map(gainShares(b).map((f, i) => [f.name, { ...f, rank: i + 1 }]));
  const moved = [...new Set([...shareA.keys(), ...shareB.keys()])].map((name) => {
    const x = shareA.get(name), y = shareB.get(name);
    return { name, x, y, change: (y?.share ?? 0) - (x?.share ?? 0) };
  }).sort((p, q) => Math.abs(q.change) - Math.abs(p.change) || p.name.localeCompare(q.name))
    .slice(0, top);
  const pct = (v: number | undefined) => v === undefined ? "-" : `${(v * 100).toFixed(1)}%`;
  lines.push(
    "",
    `Features that moved most in importance (share of total gain, top ${moved.length})`,
    ...textTable(
      ["feature", "A share", "B share", "change", "A rank", "B rank"],
      moved.map((m) => [
        m.name,
        pct(m.x?.share),
        pct(m.y?.share),
        `${m.change >= 0 ? "+" : ""}${(m.change * 100).toFixed(1)} pp`,
        m.x ? String(m.x.rank) : "-",
        m.y ? String(m.y.rank) : "-",
      ]),
      [1, 2, 3, 4, 5],
    ),
  );
  return lines;
}
