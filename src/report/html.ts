/**
 * Small HTML builders of the report: escaping, tables, sections, notes.
 *
 * @module
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** A cell: text (escaped) or `{ html }` (trusted markup); numbers right-aligned. */
export type Cell = string | number | { html: string };

function cell(value: Cell, tag: "td" | "th"): string {
  if (typeof value === "number") return `<${tag} class="num">${escapeHtml(String(value))}</${tag}>`;
  if (typeof value === "string") return `<${tag}>${escapeHtml(value)}</${tag}>`;
  return `<${tag}>${value.html}</${tag}>`;
}

/** A table with a header row. */
export function table(headers: readonly Cell[], rows: readonly (readonly Cell[])[]): string {
  const head = `<tr>${headers.map((h) => cell(h, "th")).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("");
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** A report section with an id (its `data-section` attribute) and a heading. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${id}" data-section="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A figure holding one chart and its caption. */
export function figure(title: string, chart: string, caption = ""): string {
  const note = caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : "";
  return `<figure><h3>${escapeHtml(title)}</h3>${chart}${note}</figure>`;
}

/** A plain statement that something is not recorded for this model. */
export function absent(text: string): string {
  return `<p class="absent" data-absent>${escapeHtml(text)}</p>`;
}

/** A number for people: integers with separators, others to `digits` significant places. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return value.toFixed(abs >= 100 ? 1 : digits);
}
