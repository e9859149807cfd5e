/**
 * Figures for people: 4 significant digits, seconds to 0.1 s, whole numbers as they are.
 * Only what a person reads is rounded; JSON logs and metadata keep full precision.
 *
 * @module
 */

/**
 * A number to 4 significant digits (whole numbers in full, with no exponent below 1e21).
 *
 * @example
 * ```ts
 * import { figure } from "./human.ts";
 * console.assert(figure(0.939910767606596) === "0.9399");
 * console.assert(figure(336621) === "336621");
 * console.assert(figure(1.9878345010000003) === "1.988");
 * ```
 */
export function figure(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const rounded = Number(value.toPrecision(4));
  return Math.abs(rounded) >= 1e-4 ? String(rounded) : rounded.toExponential();
}

/**
 * Seconds to 0.1 s.
 *
 * @example
 * ```ts
 * import { seconds } from "./human.ts";
 * console.assert(seconds(1.9878345010000003) === "2.0");
 * ```
 */
export function seconds(value: number): string {
  return value.toFixed(1);
}

/**
 * A log property as a person reads it: `key` names the figure (a key ending in `seconds`
 * is a duration), strings bare, lists joined by commas.
 *
 * @example
 * ```ts
 * import { humanValue } from "./human.ts";
 * console.assert(humanValue("seconds", 1.98783) === "2.0");
 * console.assert(humanValue("version", "1") === "1");
 * console.assert(humanValue("score", 0.939910767606596) === "0.9399");
 * ```
 */
export function humanValue(key: string, value: unknown): string {
  if (typeof value === "number") return /seconds$/i.test(key) ? seconds(value) : figure(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((v) => humanValue("", v)).join(", ");
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") {
    return JSON.stringify(value, (_, v) => typeof v === "number" ? Number(figure(v)) : v);
  }
  return String(value);
}

/** Width of the summaries commands print (a 160-column terminal). */
export const SUMMARY_WIDTH = 160;

/**
 * `items` joined by ", " into lines of at most `width` columns, the first after `head`, the
 * others indented under it.
 *
 * @example
 * ```ts
 * import { wrapList } from "./human.ts";
 * console.assert(wrapList("  m  ", ["a 1", "b 2"], 10).join("|") === "  m  a 1,|     b 2");
 * ```
 */
export function wrapList(head: string, items: readonly string[], width = SUMMARY_WIDTH): string[] {
  const indent = " ".repeat(head.length);
  const lines: string[] = [];
  let line = head;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line === head) line += piece;
    else if (line.length + 1 + piece.length > width) {
      lines.push(line);
      line = indent + piece;
    } else line += ` ${piece}`;
  });
  lines.push(line);
  return lines;
}
