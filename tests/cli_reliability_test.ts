/**
 * The command line's side of issue 12: usage mistakes exit 2 with one line before anything
 * is opened (failure 5), the start-up permission check names everything a run needs
 * (failure 6), and the smaller items (failure 7).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { save } from "../src/notebook.ts";
import { embeddedNetwork, ROOT, runCli, trainArgs } from "./faults/fault_support.ts";
import { trainedModelFixture } from "./support/trained_model.ts";

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^error/i.test(line));
}

Deno.test("usage mistakes exit 2 with one line, before the first query", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain-cli-" });
  // A closed port: a run that got as far as connecting would fail with exit 1 instead.
  const server = ["--clickhouse-url", "http://127.0.0.1:9"];
  const options = { dir, flags: ["--allow-net=127.0.0.1:9"] };
  const base = (extra: string[], engine = server) =>
    trainArgs("alert_scorer", join(dir, "models"), engine, extra);
  /** The base arguments with one flag's value replaced. */
  const replaced = (flag: string, value: string) => {
    const args = base([]);
    args[args.indexOf(flag) + 1] = value;
    return args;
  };
  const cases: [string, string[], RegExp][] = [
    ["--folds 51", base(["--folds", "51"]), /--folds/],
    ["--trials 1001", base(["--trials", "1001"]), /--trials/],
    ["--seed 4294967296", base(["--seed", "4294967296"]), /--seed/],
    [
      "a start date after the end date",
      replaced("--start-date", "2024-02-01"),
      /--start-date 2024-02-01 is after --end-date/,
    ],
    ["--output-dir ''", replaced("--output-dir", ""), /--output-dir: Expected a value/],
    ["--database ''", base(["--database", ""]), /--database: Expected a value/],
    [
      "a file: URL",
      base([], ["--clickhouse-url", "file:///etc/passwd"]),
      /--clickhouse-url: Expected an http:\/\/ or https:\/\/ URL \(http\(s\) only\): file:/,
    ],
    [
      "a javascript: URL",
      base([], ["--clickhouse-url", "javascript:alert(1)"]),
      /http\(s\) only\): javascript:/,
    ],
    [
      "--clickhouse-user without a URL",
      base([], ["--clickhouse-user", "alice", "--data-dir", join(dir, "chdb")]),
      /--clickhouse-user: Needs a ClickHouse server/,
    ],
  ];
  try {
    for (const [name, args, pattern] of cases) {
      await t.step(name, async () => {
        const result = await runCli(args, options);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, pattern);
        assert.doesNotMatch(result.stderr, /unreachable|invalid empty host/i);
        assert.ok(errorLines(result.stderr).length <= 1, result.stderr);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a mistyped --data-dir leaves no chDB skeleton behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain-cli-" });
  const typo = join(dir, "chbd");
  try {
    const result = await runCli(
      ["features", "--network", "demo", "--start-date", "2024-01-01", "--end-date", "2024-01-02"]
        .concat(["--model-type", "alert_scorer", "--data-dir", typo]),
      { dir },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: No embedded ClickHouse data in .*chbd/m);
    await assert.rejects(Deno.stat(typo), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the permission check names everything a training needs, and those flags suffice", async () => {
  await using net = await embeddedNetwork();
  const outputDir = join(net.dir, "models");
  const args = trainArgs("alert_scorer", outputDir, net.engine);
  // The flags: the output and data directories, which replace the set's reads.
  const partial = [`--allow-read=${net.dir}`, `--allow-write=${net.dir}`];
  const refused = await runCli(args, { dir: net.dir, permissionFlags: partial });
  assert.equal(refused.code, 1);
  const [line] = errorLines(refused.stderr);
  assert.equal(line, "error: Missing permission: run with --allow-read=.");
  const granted = await runCli(args, {
    dir: net.dir,
    permissionFlags: [`--allow-read=.,${net.dir}`, `--allow-write=${net.dir}`],
  });
  assert.equal(granted.code, 0, granted.stderr);
  assert.doesNotMatch(granted.stderr, /Uncaught|Requires read access/);
});

Deno.test("a read the permissions deny is reported as such, not as not found", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain-cli-" });
  try {
    const saved = await save(trainedModelFixture(), { outputDir: dir });
    // load() under a read permission for the metadata only (as -P=models plus one file).
    const script = `import { load } from ${
      JSON.stringify(new URL("../src/storage/registry.ts", import.meta.url).href)
    };
  try { await load(${JSON.stringify(saved.metadataPath)}); }
  catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const scriptPath = join(dir, "load_one.ts");
    await Deno.writeTextFile(scriptPath, script);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${ROOT},${scriptPath},${saved.metadataPath}`,
        scriptPath,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const { code, message } = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.equal(code, "PERMISSION_MISSING");
    assert.match(
      message,
      /^Permission denied reading model file: .*\.txt \(run with --allow-read=/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a server's error text reaches the terminal without control characters", async () => {
  const dir = await Deno.makeTempDir();
  await using ch = await EmbeddedClickHouse.open({ dataDir: join(dir, "chdb") });
  await assert.rejects(
    ch.query("SELECT throwIf(1, {m:String})", { params: { m: "\x1b[31mred\x1b[0m\x07 text" } }),
    (e) =>
      e instanceof Error && /red {1,2}text/.test(e.message) &&
      ![...e.message].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
  );
  await ch.close();
  await Deno.remove(dir, { recursive: true });
});
