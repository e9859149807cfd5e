import assert from "node:assert/strict";
import { parse } from "npm:@optique/core@0.7.19/parser";
import { cliParser } from "../src/cli/parser.ts";

/** Parses argv and drops the flags that were not given, for compact comparisons. */
function parseArgs(args: string[]) {
  const result = parse(cliParser, args);
  if (!result.success) return result;
  const given = Object.entries(result.value).filter(([, value]) => value !== undefined);
  return { success: true as const, value: Object.fromEntries(given) };
}

Deno.test("cliParser parses the train command with every flag", () => {
  const result = parseArgs([
    "train",
    "--network",
    "torus",
    "--start-date",
    "2024-01-01",
    "--end-date",
    "2024-03-31",
    "--model-type",
    "alert_ranker",
    "--window-days",
    "7",
    "--trials",
    "0",
    "--folds",
    "3",
    "--seed",
    "7",
    "--force",
    "--output-dir",
    "out",
    "--clickhouse-url",
    "http://127.0.0.1:8123",
  ]);
  assert.ok(result.success);
  assert.deepEqual(result.value, {
    command: "train",
    network: "torus",
    startDate: "2024-01-01",
    endDate: "2024-03-31",
    modelType: "alert_ranker",
    windowDays: 7,
    trials: 0,
    folds: 3,
    seed: 7,
    force: true,
    outputDir: "out",
    clickhouseUrl: "http://127.0.0.1:8123",
  });
});

Deno.test("cliParser rejects a date that does not exist", () => {
  const result = parseArgs([
    "train",
    "--network",
    "torus",
    "--start-date",
    "2024-02-30",
    "--end-date",
    "2024-03-31",
    "--model-type",
    "alert_scorer",
  ]);
  assert.equal(result.success, false);
});

Deno.test("cliParser rejects an unknown model type and an uppercase network", async (t) => {
  await t.step("network", () => {
    const result = parseArgs([
      "migrate",
      "--network",
      "Torus",
    ]);
    assert.equal(result.success, false);
  });
  await t.step("model type", () => {
    const result = parseArgs([
      "features",
      "--network",
      "torus",
      "--start-date",
      "2024-01-01",
      "--end-date",
      "2024-01-02",
      "--model-type",
      "random_forest",
    ]);
    assert.equal(result.success, false);
  });
});

Deno.test("cliParser parses generate with several windows and models subcommands", () => {
  const generate = parseArgs([
    "generate",
    "--network",
    "demo",
    "--days",
    "3",
    "--alerts-per-day",
    "10",
    "--window-days",
    "7",
    "--window-days",
    "30",
  ]);
  assert.ok(generate.success);
  assert.deepEqual(generate.value, {
    command: "generate",
    network: "demo",
    days: 3,
    alertsPerDay: 10,
    windowDays: [7, 30],
  });
  const show = parseArgs(["models", "show", "trained_models/x.json"]);
  assert.ok(show.success);
  assert.deepEqual(show.value, { command: "models-show", model: "trained_models/x.json" });
  const json = parseArgs(["models", "show", "--json", "m1"]);
  assert.ok(json.success);
  assert.deepEqual(json.value, { command: "models-show", model: "m1", json: true });
  const report = parseArgs(["models", "report", "m1"]);
  assert.ok(report.success);
  assert.deepEqual(report.value, { command: "models-report", model: "m1" });
  const compare = parseArgs(["models", "compare", "m1", "m2", "--output-dir", "d"]);
  assert.ok(compare.success);
  assert.deepEqual(compare.value, {
    command: "models-compare",
    first: "m1",
    second: "m2",
    outputDir: "d",
  });
});

Deno.test("cliParser parses the score command", () => {
  const score = parseArgs([
    "score",
    "--network",
    "demo",
    "--start-date",
    "2024-02-20",
    "--end-date",
    "2024-02-29",
    "--model-type",
    "alert_ranker",
    "--top-k",
    "3",
    "--write",
  ]);
  assert.ok(score.success);
  assert.deepEqual(score.value, {
    command: "score",
    network: "demo",
    startDate: "2024-02-20",
    endDate: "2024-02-29",
    modelType: "alert_ranker",
    topK: 3,
    write: true,
  });
  const byPath = parseArgs([
    "score",
    "--network",
    "demo",
    "--start-date",
    "2024-02-20",
    "--end-date",
    "2024-02-29",
    "--model",
    "trained_models/alert_scorer_v1_20240131_123456.txt",
    "--out",
    "scores.arrow",
  ]);
  assert.ok(byPath.success);
  assert.equal(byPath.value.model, "trained_models/alert_scorer_v1_20240131_123456.txt");
  assert.equal(byPath.value.out, "scores.arrow");
  assert.equal(parse(cliParser, ["score", "--network", "demo"]).success, false);
});
