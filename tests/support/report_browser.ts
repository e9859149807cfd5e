/**
 * Opens an HTML report in Debian's headless Chromium (driven by playwright-core) with the
 * network off, and reports what a reader would see: console errors, requests the page
 * tried to make, its sections and charts, and a full-page screenshot.
 */
import { chromium } from "npm:playwright-core@1.65.1";

/** Chromium's path (Debian's `chromium` package, installed by tests/setup.sh). */
export const CHROMIUM = "/usr/bin/chromium";

/** What the browser saw of a report. */
export interface ReportView {
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** URLs other than the report file that the page requested. */
  requests: string[];
  /** Per section id: its text length and number of charts, tables and "absent" notes. */
  sections: Record<string, { text: number; charts: number; tables: number; absent: number }>;
  /** Per chart name: its rendered size and the number of drawn marks. */
  charts: Record<string, { width: number; height: number; marks: number }>;
  /** The page's background colour in light and dark mode. */
  backgrounds: { light: string; dark: string };
}

/**
 * Opens `htmlPath` offline, inspects it, and writes a full-page PNG to `screenshotPath`
 * (and the page's top, 1360 x 2100 pixels, to `options.topScreenshotPath` when given).
 */
export async function viewReport(
  htmlPath: string,
  screenshotPath: string,
  options: { topScreenshotPath?: string } = {},
): Promise<ReportView> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  // A fresh profile per run; playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1360, height: 900 },
    offline: true,
  });
  try {
    const url = `file://${htmlPath}`;
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: "load" });
    // Runs in the page (a string: this module is type-checked without the DOM library).
    const seen: Pick<ReportView, "sections" | "charts"> = await page.evaluate(`(() => {
      const sections = {};
      for (const s of document.querySelectorAll("section[data-section]")) {
        sections[s.getAttribute("data-section")] = {
          text: (s.textContent ?? "").trim().length,
          charts: s.querySelectorAll("[data-chart]").length,
          tables: s.querySelectorAll("table").length,
          absent: s.querySelectorAll("[data-absent]").length,
        };
      }
      const charts = {};
      for (const c of document.querySelectorAll("[data-chart]")) {
        const box = c.getBoundingClientRect();
        // Drawn marks: children of mark groups other than axes, ticks, grids and rules.
        let marks = 0;
        for (const g of c.querySelectorAll("g[aria-label]")) {
          if (/axis|tick|grid|rule|label/.test(g.getAttribute("aria-label"))) continue;
          marks += g.querySelectorAll("path, rect, circle, line, text").length;
        }
        charts[c.getAttribute("data-chart")] = { width: box.width, height: box.height, marks };
      }
      return { sections, charts };
    })()`);
    const background = () =>
      page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const light = await background();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await background();
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    if (options.topScreenshotPath) {
      await page.screenshot({
        path: options.topScreenshotPath,
        fullPage: true,
        clip: { x: 0, y: 0, width: 1360, height: 2100 },
      });
    }
    return { errors, requests, ...seen, backgrounds: { light, dark } };
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
