import assert from "node:assert/strict";
import { startChdbHttpServer } from "./support/chdb_http_harness.ts";
import { type DenoRun, ROOT, runDeno } from "./support/run_deno.ts";

/** Runs cli.ts the way the tasks do: under the `train` permission set, plus `flags`. */
function cli(args: string[], flags: string[] = [], permissionSet = "train"): Promise<DenoRun> {
  return runDeno(["run", `-P=${permissionSet}`, ...flags, "cli.ts", ...args]);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

Deno.test("cli --help prints the commands and exits 0", async () => {
  const run = await cli(["--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: deno task COMMAND \[OPTIONS\]$/m);
  for (const command of ["train", "demo", "generate", "migrate", "features", "models", "score"]) {
    assert.match(run.stdout, new RegExp(`^  ${command}\\s+[A-Z]`, "m"));
  }
});

Deno.test("cli exits 2 on a usage error and names the flag", async () => {
  const run = await cli(["train", "--network", "torus", "--start-date", "2024-01-01"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--end-date|--model-type/);
});

Deno.test("cli names the missing permission flag for another output directory", async () => {
  const outside = await Deno.makeTempDir({ prefix: "risktrain-outside-" });
  try {
    const run = await cli([
      "train",
      "--network",
      "torus",
      "--start-date",
      "2024-01-01",
      "--end-date",
      "2024-01-31",
      "--model-type",
      "alert_scorer",
      "--output-dir",
      outside,
      "--clickhouse-url",
      "http://127.0.0.1:8123",
    ]);
    assert.equal(run.code, 1);
    assert.equal(
      lastLine(run.stderr),
      `error: Missing permissions: run with --allow-write=${outside} --allow-read=${outside}`,
    );
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("cli names the missing --allow-net flag for a ClickHouse on another host", async () => {
  const run = await cli([
    "migrate",
    "--network",
    "torus",
    "--clickhouse-url",
    "http://127.0.0.1:9",
  ]);
  assert.equal(run.code, 1);
  assert.equal(lastLine(run.stderr), "error: Missing permission: run with --allow-net=127.0.0.1:9");
});

Deno.test("the train permission set denies writes outside the output directories and other hosts", async (t) => {
  const script = await Deno.makeTempFile({ dir: ROOT, prefix: ".probe-", suffix: ".ts" });
  const outside = await Deno.makeTempDir({ prefix: "risktrain-outside-" });
  try {
    await Deno.writeTextFile(
      script,
      `
      const results = [];
      for (const attempt of [
        () => Deno.writeTextFile(${JSON.stringify(`${outside}/x.txt`)}, "x"),
        () => Deno.writeTextFile("trained_models/.probe-allowed", "x").then(() => Deno.remove("trained_models/.probe-allowed")),
        () => Deno.connect({ hostname: "127.0.0.1", port: 9 }),
      ]) {
        try { await attempt(); results.push("allowed"); }
        catch (e) { results.push(e instanceof Deno.errors.NotCapable ? "denied" : "other:" + e.name); }
      }
      console.log(JSON.stringify(results));
      `,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=train", script],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const results = JSON.parse(new TextDecoder().decode(output.stdout));
    await t.step("a write outside the output directory is denied", () => {
      assert.equal(results[0], "denied");
    });
    await t.step("a write inside trained_models/ is allowed", () => {
      assert.equal(results[1], "allowed");
    });
    await t.step("a connection to another host is denied", () => {
      assert.equal(results[2], "denied");
    });
  } finally {
    await Deno.remove(script);
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("cli trains end to end against a ClickHouse server, then skips the same run", async () => {
  await using server = await startChdbHttpServer();
  const outputDir = await Deno.makeTempDir({ dir: `${ROOT}/trained_models`, prefix: "cli-test-" });
  const net = [`--allow-net=${new URL(server.url).host}`];
  const connection = ["--clickhouse-url", server.url];
  try {
    const generated = await cli(
      [
        "generate",
        "--network",
        "clitest",
        "--days",
        "12",
        "--alerts-per-day",
        "400",
        ...connection,
      ],
      net,
    );
    assert.equal(generated.code, 0, generated.stderr);
    const train = [
      "train",
      "--network",
      "clitest",
      "--start-date",
      "2024-01-01",
      "--end-date",
      "2024-01-12",
      "--model-type",
      "alert_scorer",
      "--trials",
      "2",
      "--folds",
      "2",
      "--history-days",
      "10",
      "--output-dir",
      outputDir,
      ...connection,
    ];
    const first = await cli(train, [...net, `--allow-write=${outputDir}`]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Trained alert_scorer version 1/m);
    const files = [...Deno.readDirSync(outputDir)].map((e) => e.name).filter((n) =>
      !n.startsWith(".")
    ).sort();
    assert.equal(files.length, 4);
    const metadata = JSON.parse(Deno.readTextFileSync(`${outputDir}/${files[2]}`));
    assert.equal(metadata.history_days, 10);
    assert.match(files[0], /^alert_scorer_v1_\d{8}_\d{6}\.evaluation\.json\.gz$/);
    assert.match(files[1], /^alert_scorer_v1_\d{8}_\d{6}\.html$/);
    assert.match(files[2], /^alert_scorer_v1_\d{8}_\d{6}\.json$/);
    assert.match(files[3], /^alert_scorer_v1_\d{8}_\d{6}\.txt$/);

    const second = await cli(train, [...net, `--allow-write=${outputDir}`]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^Skipped alert_scorer/m);

    const listed = await cli(["models", "list", "--output-dir", outputDir], [], "models");
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      /^clitest_alert_scorer_v1_[0-9a-f]{8}\s+alert_scorer\s+clitest\s+7d\s/m,
    );

    // Scoring over the HTTP harness: twice with --write gives the same rows, --out a file.
    const score = [
      "score",
      "--network",
      "clitest",
      "--start-date",
      "2024-01-10",
      "--end-date",
      "2024-01-12",
      "--output-dir",
      outputDir,
      ...connection,
    ];
    const written = [];
    for (let run = 0; run < 2; run++) {
      const scored = await cli([...score, "--write"], net, "score");
      assert.equal(scored.code, 0, scored.stderr);
      assert.match(scored.stdout, /^Scored 1200 rows with clitest_alert_scorer_v1_[0-9a-f]{8}$/m);
      assert.match(scored.stdout, /backtest on \d+ labelled rows: test_auc 0\.\d+,/);
      written.push(scored.stdout.split("\n").find((line) => line.startsWith("Wrote")));
    }
    assert.equal(
      written[0],
      "Wrote 3 dates (2024-01-10..2024-01-12): alert_scores 1200, batch_metadata 3",
    );
    assert.equal(written[1], written[0]);
    const file = `${outputDir}/scores.arrow`;
    const denied = await cli([...score, "--out", file], net, "score");
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /--allow-write/);
    const out = await cli(
      [...score, "--out", file],
      [...net, `--allow-write=${outputDir}`],
      "score",
    );
    assert.equal(out.code, 0, out.stderr);
    assert.ok(Deno.statSync(file).size > 0);
    const both = await cli([...score, "--out", file, "--write"], [
      ...net,
      `--allow-write=${outputDir}`,
    ], "score");
    assert.equal(both.code, 2, "a usage error");
    assert.match(both.stderr, /--out: Choose --write or --out, not both/);
  } finally {
    await Deno.remove(outputDir, { recursive: true });
  }
});
