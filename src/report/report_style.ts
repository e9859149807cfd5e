/**
 * The report's stylesheet: a light palette, a dark one under `prefers-color-scheme: dark`,
 * and print rules (white paper, no split charts).
 *
 * @module
 */

/** The CSS inlined into every report. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d2330; --muted: #5b6475;
  --card: #f4f6f9; --line: #d9dee6; --good: #2e7d32; --bad: #c62828; --warn: #b26a00; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e3e6eb; --muted: #9aa3b2; --card: #1e232b; --line: #343b46;
    --good: #81c784; --bad: #ef9a9a; --warn: #ffcc80; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1360px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; }
.subtitle, figcaption, .absent, .muted { color: var(--muted); }
.absent { font-style: italic; }
nav { margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
nav a { color: inherit; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 8px 20px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 14px; }
.metric { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.metric b { display: block; font-size: 20px; }
.metric span { color: var(--muted); font-size: 12px; }
.verdict { margin-top: 12px; font-weight: 600; }
.good { color: var(--good); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 20px; }
figure { margin: 0; min-width: 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
code, pre { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 2px 0 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --card: #ffffff; --line: #bbbbbb; }
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  section, figure, table { break-inside: avoid; }
  .grid { grid-template-columns: 1fr 1fr; }
}
`;
