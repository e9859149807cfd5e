/**
 * Observable Plot rendered to SVG text at build time, over a linkedom document (no
 * browser, no canvas). Axes and text use `currentColor`, so charts follow the page's
 * light or dark palette.
 *
 * @module
 */
import * as Plot from "npm:@observablehq/plot@0.6.17";
import { parseHTML } from "npm:linkedom@0.18.15";

export { Plot };

/** Series colours readable on light and dark backgrounds (Tableau 10). */
export const COLORS = {
  blue: "#4e79a7",
  orange: "#f28e2b",
  red: "#e15759",
  teal: "#76b7b2",
  green: "#59a14f",
  grey: "#9c9c9c",
} as const;

let document: Plot.PlotOptions["document"] | null = null;
let count = 0;

/**
 * Renders a plot to SVG (or, with a legend, HTML) text. `name` becomes the element's
 * `data-chart` attribute and its class, so a chart can be found and styled.
 */
export function renderPlot(name: string, options: Plot.PlotOptions): string {
  if (!document) {
    const page = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
      document: Plot.PlotOptions["document"];
    };
    document = page.document;
  }
  const element = Plot.plot({
    width: 640,
    height: 300,
    marginLeft: 56,
    style: { background: "transparent", fontSize: "11px" },
    ...options,
    className: `chart-${name}`,
    document,
  });
  element.setAttribute("data-chart", name);
  element.setAttribute("role", "img");
  count++;
  return element.outerHTML;
}

/** The number of plots rendered so far in this realm (for tests and logs). */
export function plotsRendered(): number {
  return count;
}
