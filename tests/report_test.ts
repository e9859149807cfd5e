import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { generate } from "../src/generate/generate.ts";
import { decodeEvaluation, encodeEvaluation } from "../src/report/evaluation_file.ts";
import { loadEvaluation, rebuildReport } from "../src/rebuild_report.ts";
import { renderReport } from "../src/report/render_report.ts";
import { runTraining } from "../src/run_training.ts";
import { load } from "../src/storage/registry.ts";
import { save } from "../src/notebook.ts";
import { train } from "../src/train/train.ts";
import { viewReport } from "./support/report_browser.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";
import { NEW_FEATURES } from "./support/upstream_export.ts";

const SECTIONS = ["summary", "data", "validation", "performance", "explanations", "reproduce"];
const COMMON_CHARTS = [
  "rows-per-date",
  "positive-rate-per-date",
  "cv-curve",
  "search-history",
  "roc",
  "precision-recall",
  "gain",
  "score-distribution",
  "importance",
  "shap-mean",
  "shap-beeswarm",
  "fold-layout",
  "per-date-metric",
  "precision-at-budget",
];
const SCORER_CHARTS = [...COMMON_CHARTS, "calibration"];

/** Where the README's screenshot (the report's top) is written when REPORT_SCREENSHOT names a path. */
const README_SCREENSHOT = Deno.env.get("REPORT_SCREENSHOT");

function assertReadable(view: Awaited<ReturnType<typeof viewReport>>, charts: string[]) {
  assert.deepEqual(view.errors, []);
  assert.deepEqual(view.requests, [], "the report requests nothing");
  assert.deepEqual(Object.keys(view.sections), SECTIONS);
  for (const [id, s] of Object.entries(view.sections)) {
    assert.ok(s.text > 40, `section ${id} has text`);
    assert.ok(s.charts + s.tables > 0 || id === "summary", `section ${id} has charts or tables`);
  }
  assert.deepEqual(Object.keys(view.charts).sort(), [...charts].sort());
  for (const [name, c] of Object.entries(view.charts)) {
    assert.ok(c.width > 200 && c.height > 100, `chart ${name} is drawn: ${c.width}x${c.height}`);
    assert.ok(c.marks > 0, `chart ${name} has marks`);
  }
  assert.notEqual(view.backgrounds.light, view.backgrounds.dark, "a dark palette");
}

Deno.test("a trained model's report opens offline in Chromium with every section and chart", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "report-test-" });
  try {
    await using ch = await openClickHouse({ dataDir: join(dir, "chdb") });
    const generated = await generate(ch, { network: "rpt", days: 21, alertsPerDay: 500, seed: 5 });
    const result = await runTraining(ch, {
      network: "rpt",
      startDate: generated.startDate,
      endDate: generated.endDate,
      modelType: "alert_scorer",
      outputDir: join(dir, "models"),
      trials: 3,
      folds: 3,
      seed: 5,
    });
    const stem = result.model.metadataPath.replace(/\.json$/, "");
    const reportPath = `${stem}.html`;

    await t.step("save writes the report and the evaluation data beside the model", async () => {
      const evaluation = await loadEvaluation(result.model.metadataPath);
      assert.ok(evaluation);
      assert.equal(evaluation.test.score.length, result.model.metadata.split.test_rows);
      assert.equal(evaluation.train.outOfFold?.length, result.model.metadata.split.train_rows);
      assert.equal(evaluation.shap?.features.length, 20);
      assert.ok(evaluation.shap!.rows > 0 && evaluation.shap!.rows <= 1000);
      const html = await Deno.readTextFile(reportPath);
      // The generated network lacks the contract's later upstream columns: the metadata and
      // the report's data section name them.
      assert.deepEqual(result.model.metadata.missing_feature_columns, NEW_FEATURES);
      assert.ok(
        html.includes(
          `<b>Optional source columns absent (their features left out):</b> ${
            NEW_FEATURES.join(", ")
          }</p>`,
        ),
      );
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no external resource");
    });

    await t.step("Chromium shows every section and chart, no error, no request", async () => {
      const view = await viewReport(reportPath, join(dir, "report.png"), {
        topScreenshotPath: README_SCREENSHOT,
      });
      assertReadable(view, SCORER_CHARTS);
      assert.ok((await Deno.stat(join(dir, "report.png"))).size > 50_000);
    });

    await t.step("rebuildReport writes the same report from the files alone", async () => {
      const before = await Deno.readTextFile(reportPath);
      await Deno.remove(reportPath);
      assert.equal(await rebuildReport(result.model.modelPath), reportPath);
      assert.equal(await Deno.readTextFile(reportPath), before);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the ranker's report adds NDCG per query group and opens in Chromium", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-ranker-" });
  try {
    const matrix = syntheticMatrix({
      modelType: "alert_ranker",
      days: 20,
      rowsPerDay: 60,
      seed: 3,
    });
    const model = await train(matrix, { trials: 2, folds: 2, numBoostRound: 40, workers: 2 });
    const saved = await save(model, { outputDir: dir });
    const view = await viewReport(saved.reportPath, join(dir, "ranker.png"));
    assertReadable(view, [...COMMON_CHARTS, "ndcg-per-group"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the evaluation artifact round-trips and refuses inconsistent data", () => {
  const evaluation = {
    test: {
      score: new Float32Array([0.1, 0.9]),
      label: new Float32Array([0, 1]),
      date: new Int32Array([19800, 19801]),
      group: null,
    },
    train: { label: new Float32Array([1]), date: new Int32Array([19790]), outOfFold: null },
    cvCurve: { metric: "auc", mean: new Float64Array([0.5, 0.7]), std: new Float64Array([0, 0.1]) },
    featureChecks: { allMissing: ["x"], constant: [] },
    shap: null,
  };
  const bytes = encodeEvaluation(evaluation);
  assert.deepEqual(decodeEvaluation(bytes, "e.json"), evaluation);
  const broken = JSON.parse(new TextDecoder().decode(gunzipSync(bytes)));
  broken.test.label = broken.train.label;
  assert.throws(
    () => decodeEvaluation(gzipSync(new TextEncoder().encode(JSON.stringify(broken))), "e.json"),
    /Evaluation data is inconsistent: e\.json \(test columns differ in length\)/,
  );
  assert.throws(
    () => decodeEvaluation(gzipSync(new TextEncoder().encode("{")), "e.json"),
    /not gzipped JSON/,
  );
  assert.throws(
    () => decodeEvaluation(new TextEncoder().encode("{}"), "e.json"),
    /not gzipped JSON/,
  );
});

Deno.test("a report without evaluation data says plainly what is absent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-bare-" });
  try {
    const matrix = syntheticMatrix({ days: 10, rowsPerDay: 40, seed: 4 });
    const model = await train(matrix, { trials: 0, folds: 2, numBoostRound: 20, workers: 1 });
    const { evaluation: _dropped, ...bare } = model;
    const saved = await save(bare, { outputDir: dir });
    const html = await Deno.readTextFile(saved.reportPath);
    assert.match(html, /No evaluation data is kept for this model/);
    assert.match(html, /data-chart="importance"/);
    assert.doesNotMatch(html, /data-chart="roc"/);
    const loaded = await load(saved.metadataPath);
    assert.deepEqual(loaded.metadata.missing_feature_columns, []);
    assert.equal(renderReport(loaded.metadata, null), html);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
