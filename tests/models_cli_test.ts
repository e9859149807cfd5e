import assert from "node:assert/strict";
import { join } from "node:path";
import { save } from "../src/notebook.ts";
import { type DenoRun, ROOT, runDeno } from "./support/run_deno.ts";
import { trainedModelFixture } from "./support/trained_model.ts";

/** Runs cli.ts under the `models` permission set, as `deno task models` does. */
function models(args: string[]): Promise<DenoRun> {
  return runDeno(["run", "-P=models", "cli.ts", "models", ...args]);
}

/** Two alert scorers of one network (v2 better on AUC, importance moved from a to b) and a ranker. */
async function registry(dir: string) {
  const first = await save(trainedModelFixture(), { outputDir: dir });
  const better = trainedModelFixture({ configHash: "b".repeat(64) });
  const second = await save({
    ...better,
    metrics: { ...better.metrics, test_auc: 0.86, test_f1: 0.5 },
    details: { ...better.details, weak: true, weak_reasons: ["the model has 1 tree"] },
    featureImportance: [
      { name: "a", split: 4, gain: 40 },
      { name: "b", split: 9, gain: 100 },
      { name: "c", split: 1, gain: 3.5 },
    ],
  }, { outputDir: dir });
  const ranker = await save(trainedModelFixture({ modelType: "alert_ranker" }), {
    outputDir: dir,
  });
  return { first, second, ranker };
}

Deno.test("models list, show, compare and report print what a person reads", async (t) => {
  const dir = await Deno.makeTempDir({ dir: join(ROOT, "trained_models"), prefix: "models-cli-" });
  const relative = dir.slice(ROOT.length);
  try {
    const { first, second } = await registry(dir);

    await t.step("list: a header and one labelled row per model", async () => {
      const run = await models(["list", "--output-dir", relative]);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split("\n");
      assert.match(
        lines[0],
        /^MODEL ID\s+TYPE\s+NETWORK\s+WINDOW\s+RANGE\s+METRIC\s+VALUE\s+WEAK\s+CREATED \(UTC\)$/,
      );
      assert.equal(lines.length, 4);
      assert.match(
        lines[1],
        /^torus_alert_ranker_v1_[0-9a-f]{8}\s+alert_ranker\s+torus\s+7d\s+2024-01-01\.\.2024-03-31\s+test_ndcg@10\s+-\s+-\s+\d{4}-/,
      );
      assert.match(
        lines[2],
        /^torus_alert_scorer_v1_[0-9a-f]{8}\s+alert_scorer\s+torus\s+7d\s+2024-01-01\.\.2024-03-31\s+test_auc\s+0\.8100\s+-\s/,
      );
      assert.match(lines[3], /^torus_alert_scorer_v2_[0-9a-f]{8}\s+.*test_auc\s+0\.8600\s+yes\s/);
    });

    await t.step("show: the card, metrics, top features by gain and the files", async () => {
      const run = await models(["show", "--output-dir", relative, "torus_alert_scorer_v1"]);
      assert.equal(run.code, 0, run.stderr);
      const out = run.stdout;
      assert.match(out, /^torus_alert_scorer_v1_[0-9a-f]{8} {2}alert_scorer on torus$/m);
      assert.match(out, /^ {2}Test dates\s+2024-03-11 to 2024-03-31$/m);
      assert.match(out, /^ {2}Labelled rows\s+1,000 \(train 800, test 200\)$/m);
      assert.match(out, /^ {2}test_auc\s+0\.8100$/m);
      // Features sorted by gain with their share of the total (123.5 of 143.75).
      assert.match(
        out,
        /^ {2}1 {2}a\s+123\.5\s+85\.9%\n {2}2 {2}b\s+20\.3\s+14\.1%\n {2}3 {2}c\s+0\.0\s+0\.0%$/m,
      );
      assert.match(out, new RegExp(`^  report\\s+${first.reportPath.slice(ROOT.length)}$`, "m"));
      assert.match(out, /^ {2}evaluation {2}none$/m);
      assert.ok(out.split("\n").length < 60, "a screenful, not the raw JSON");
    });

    await t.step("show: a weak model says so", async () => {
      const run = await models(["show", "--output-dir", relative, "torus_alert_scorer_v2"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /^ {2}WEAK MODEL \(saved with --allow-weak\): the model has 1 tree\.$/m,
      );
      assert.match(run.stdout, /^ {2}No baseline is recorded for this model\.$/m);
    });

    await t.step("show --json: the raw metadata", async () => {
      const run = await models(["show", "--json", first.metadataPath.slice(ROOT.length)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), first.metadata);
    });

    await t.step(
      "compare: metrics side by side with B - A, and the features that moved",
      async () => {
        const run = await models([
          "compare",
          "--output-dir",
          relative,
          "torus_alert_scorer_v1",
          "torus_alert_scorer_v2",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const out = run.stdout;
        assert.match(out, /^A {2}torus_alert_scorer_v1_[0-9a-f]{8} /m);
        assert.match(out, /^B {2}torus_alert_scorer_v2_[0-9a-f]{8} /m);
        assert.match(out, /^test_auc\s+0\.8100\s+0\.8600\s+\+0\.0500$/m);
        assert.match(out, /^test_f1\s+0\.5450\s+0\.5000\s+-0\.0450$/m);
        assert.match(out, /^test_pr_auc\s+0\.4200\s+0\.4200\s+\+0\.0000$/m);
        // a: 123.5 of 143.75 (85.9%) -> 40 of 143.5 (27.9%); b: 14.1% -> 69.7%; a first.
        const moved = out.slice(out.indexOf("Features that moved most"));
        assert.match(
          moved,
          /\na\s+85\.9%\s+27\.9%\s+-58\.0 pp\s+1\s+2\nb\s+14\.1%\s+69\.7%\s+\+55\.6 pp\s+2\s+1\n/,
        );
        assert.match(second.metadata.model_id, /^torus_alert_scorer_v2_[0-9a-f]{8}$/);
      },
    );

    await t.step("report: rebuilds the HTML beside the model", async () => {
      await Deno.remove(first.reportPath);
      const run = await models(["report", "--output-dir", relative, "torus_alert_scorer_v1"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Wrote .*alert_scorer_v1_\d{8}_\d{6}\.html in \d+\.\d s$/m);
      const html = await Deno.readTextFile(first.reportPath);
      assert.match(
        html,
        /<title>torus_alert_scorer_v1_[0-9a-f]{8}: alert_scorer on torus<\/title>/,
      );
      assert.match(html, /No evaluation data is kept for this model/);
    });

    await t.step("an unknown model id fails with one line", async () => {
      const run = await models(["show", "--output-dir", relative, "torus_alert_scorer_v9"]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /No model with id torus_alert_scorer_v9 in /);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
