/**
 * The command line as a person meets it: `deno task ...` in a 160-column tmux pane (the
 * rendered screen and scrollback) recorded by `script` (the raw frames of the progress
 * bars). Training runs on a tiny synthetic network, 2 trials and 2 folds.
 */
import assert from "node:assert/strict";
import { ROOT, runDeno } from "./support/run_deno.ts";
import { drawnFrames, runInTerminal } from "./support/tmux_terminal.ts";

const DENO = Deno.execPath();
const LOG_LINE = /^\d\d:\d\d:\d\d\.\d{3} (INF|WRN|ERR|DBG) risktrain/;
const BAR_GLYPHS = /[█░]/;

/**
 * Runs `deno task args` off the terminal (stdout and stderr piped) in a bare environment
 * without NO_COLOR, so colour written off a terminal would show. What a person watches runs
 * through {@linkcode runInTerminal} instead: runDeno pipes the output, and a pipe is not the
 * pseudo-terminal (tmux pane, `script`) the bars and the human log format need.
 */
function denoTask(args: string[]) {
  return runDeno(["task", "-q", ...args], { color: true });
}

/** Runs `deno task` commands one after the other in one pane; returns each one's lines. */
async function usageSession(commands: string[][]) {
  const script = commands
    .map((args) => `${[DENO, "task", ...args].join(" ")}; echo "== exit $?"`)
    .join("; ");
  const run = await runInTerminal(["sh", "-c", script]);
  const blocks: { lines: string[]; code: number }[] = [];
  let lines: string[] = [];
  for (const line of run.screen) {
    const end = line.match(/^== exit (\d+)$/);
    if (end) {
      blocks.push({ lines, code: Number(end[1]) });
      lines = [];
    } else if (!line.startsWith("Task ")) lines.push(line); // deno task's own echo
  }
  assert.equal(blocks.length, commands.length, run.screen.join("\n"));
  return blocks;
}

Deno.test("usage errors in a terminal: the command's usage line, the error, a suggestion, exit 2", async (t) => {
  const [trails, fold, models, bare, dates, version] = await usageSession([
    ["train", "--trails", "2"],
    ["train", "--network", "demo", "--start-date", "2024-01-01", "--fold", "2"],
    ["models"],
    ["train"],
    [
      "train",
      "--network",
      "demo",
      "--start-date",
      "2024-03-01",
      "--end-date",
      "2024-01-31",
      "--model-type",
      "alert_scorer",
    ],
    ["version"],
  ]);
  const usage =
    "Usage: deno task train --network NETWORK --start-date YYYY-MM-DD --end-date YYYY-MM-DD " +
    "--model-type TYPE [OPTIONS]";
  const help = "Run `deno task train --help` for every option and examples.";

  await t.step("--trails suggests --trials and names every missing option", () => {
    assert.deepEqual(trails.lines, [
      usage,
      "Error: Unknown option --trails. Did you mean --trials?",
      "Error: Missing options --network, --start-date, --end-date, --model-type",
      help,
    ]);
    assert.equal(trails.code, 2);
  });
  await t.step("--fold suggests --folds", () => {
    assert.deepEqual(fold.lines, [
      usage,
      "Error: Unknown option --fold. Did you mean --folds?",
      "Error: Missing options --end-date, --model-type",
      help,
    ]);
    assert.equal(fold.code, 2);
  });
  await t.step("models alone lists the models subcommands", () => {
    assert.equal(models.lines[0], "Usage: deno task models COMMAND");
    assert.ok(models.lines.some((l) => /^ {2}list {2,}List the saved models/.test(l)));
    assert.ok(models.lines.some((l) => /^ {2}show {2,}Show one model's/.test(l)));
    assert.equal(models.lines.at(-1), "Error: Missing the models command");
    assert.ok(!models.lines.some((l) => l.includes("deno task train")));
    assert.equal(models.code, 2);
  });
  await t.step("train alone names all four missing options at once", () => {
    assert.deepEqual(bare.lines, [
      usage,
      "Error: Missing options --network, --start-date, --end-date, --model-type",
      help,
    ]);
    assert.equal(bare.code, 2);
  });
  await t.step("a start after the end speaks in flag names", () => {
    assert.deepEqual(dates.lines, [
      usage,
      "Error: --start-date 2024-03-01 is after --end-date 2024-01-31",
      help,
    ]);
    assert.equal(dates.code, 2);
  });
  await t.step("no command shows Deno's experimental-permissions warning", () => {
    for (const block of [trails, fold, models, bare, dates, version]) {
      assert.ok(!block.lines.some((l) => /experimental/i.test(l)), block.lines.join("\n"));
    }
  });
  await t.step("version names risktrain, LightGBM, chDB and Deno", () => {
    const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
    assert.equal(version.code, 0);
    assert.equal(version.lines.length, 4, version.lines.join("\n"));
    assert.equal(version.lines[0], `risktrain ${config.version}`);
    assert.match(version.lines[1], /^LightGBM 4\.6\.0 \(WebAssembly\)$/);
    assert.match(version.lines[2], /^chDB 3\.4\.0 \(libchdb \d+\.\d+\.\d+(\.\d+)?\)$/);
    assert.equal(version.lines[3].split(" ").slice(0, 2).join(" "), `Deno ${Deno.version.deno}`);
  });
});

Deno.test("train in a terminal: a bar per stage, log lines above it, one line per trial", async (t) => {
  const name = `tty${Deno.pid}`;
  const dataDir = `.risktrain/${name}`;
  const outputDir = `.risktrain/${name}-models`;
  try {
    const generated = await denoTask(
      ["generate", "--network", "tiny", "--days", "8", "--alerts-per-day", "800"]
        .concat(["--data-dir", dataDir]),
    );
    assert.equal(generated.code, 0, generated.stderr);
    const trainArgs = [
      "--network",
      "tiny",
      "--start-date",
      "2024-01-01",
      "--end-date",
      "2024-01-08",
      "--model-type",
      "alert_scorer",
      "--trials",
      "2",
      "--folds",
      "2",
      "--data-dir",
      dataDir,
      "--output-dir",
      outputDir,
    ];
    const run = await runInTerminal([DENO, "task", "train", ...trainArgs]);
    assert.equal(run.code, 0, run.screen.join("\n"));

    await t.step("every stage drew a bar: label, bar, percentage, done/total, elapsed, ETA", () => {
      const bar =
        /^(Extracting (money flows|features|alerts|clusters)|Searching \(rung \d\)|Final fit|Threshold fits) +\[[█░]{10,40}\] +(\d{1,3})% ([\d,]+)\/([\d,]+) (rows|rounds) {2}\d+:\d\d elapsed {2}ETA (\d+:\d\d|--:--)$/;
      const frames = drawnFrames(run.raw).filter((f) => BAR_GLYPHS.test(f));
      assert.ok(frames.length > 0);
      for (const frame of frames) assert.match(frame, bar);
      for (const stage of ["Extracting", "Searching (rung 0)", "Final fit", "Threshold fits"]) {
        const complete = frames.filter((f) => f.startsWith(stage) && / 100% /.test(f));
        assert.ok(complete.length > 0, `no complete bar for ${stage}`);
        for (const frame of complete) {
          const [, , , , done, total] = frame.match(bar)!;
          assert.equal(done, total);
        }
      }
      // The search's budget: 2 trials x 1000 rounds x 2 folds in one rung.
      assert.ok(frames.some((f) => f.includes("/4,000 rounds")));
    });
    await t.step("no log line is glued to a bar, and no bar is left on the screen", () => {
      for (const line of run.screen) {
        assert.ok(!BAR_GLYPHS.test(line), `a bar was left on screen: ${line}`);
        if (/\d\d:\d\d:\d\d\.\d{3} INF/.test(line)) assert.match(line, LOG_LINE);
      }
    });
    await t.step("one info line per finished trial, counted from 0 like the choice", () => {
      const trials = run.screen.filter((l) => / Trial \d+\/2 /.test(l));
      assert.equal(trials.length, 2, run.screen.join("\n"));
      const shape =
        /risktrain·train: Trial ([01])\/2 \(rung 0\): auc (0\.\d{1,4}|1) ± \d(\.\d+)?(e-\d+)? at \d+ rounds; best trial ([01]): (0\.\d{1,4}|1)$/;
      for (const line of trials) assert.match(line, shape);
      assert.deepEqual(trials.map((l) => l.match(shape)![1]).sort(), ["0", "1"]);
      const chose = run.screen.find((l) => l.includes("Chose trial"))!;
      const last = trials.at(-1)!.match(shape)!;
      assert.match(chose, new RegExp(`Chose trial ${last[5]}: cross-validated auc ${last[6]}`));
    });
    await t.step("the log says where the data and output directories resolved to", () => {
      assert.ok(run.screen.some((l) => l.endsWith(`Data directory ${ROOT}${dataDir}`)));
      assert.ok(run.screen.some((l) => l.endsWith(`Output directory ${ROOT}${outputDir}`)));
    });
    await t.step("the summary's figures are rounded and its lines fit 160 columns", () => {
      const start = run.screen.findIndex((l) => l.startsWith("Trained alert_scorer version 1"));
      assert.match(run.screen[start], /^Trained alert_scorer version 1 in \d+\.\d s$/);
      const summary = run.screen.slice(start);
      assert.ok(summary.every((l) => l.length <= 160));
      const figures = summary.filter((l) => /^ {2}metrics|^ {11}\w/.test(l)).join(" ")
        .matchAll(/ (\d+(\.\d+)?(e-\d+)?),?/g);
      for (const [, value] of figures) {
        const digits = value.replace(/e-\d+$/, "").replace(".", "").replace(/^0+/, "");
        assert.ok(digits.length <= 4, `${value} has more than 4 significant digits`);
      }
    });

    await t.step(
      "off the terminal: no bars, JSON log lines, and the skip names --force",
      async () => {
        const { code, stdout, stderr } = await denoTask(["train", ...trainArgs]);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^Skipped alert_scorer: .*; --force trains anyway$/m);
        assert.ok(!stderr.includes("\x1b") && !BAR_GLYPHS.test(stderr));
        const records = stderr.trim().split("\n").map((line) => JSON.parse(line));
        assert.ok(records.length > 0 && records.every((r) => r.level && r.properties));
      },
    );
  } finally {
    await Deno.remove(`${ROOT}${dataDir}`, { recursive: true }).catch(() => {});
    await Deno.remove(`${ROOT}${outputDir}`, { recursive: true }).catch(() => {});
  }
});

Deno.test("a reading command refuses a missing embedded data directory instead of creating it", async () => {
  const dataDir = `.risktrain/missing-${Deno.pid}`;
  const { code, stderr } = await denoTask(
    ["train", "--network", "demo", "--start-date", "2024-01-01", "--end-date", "2024-01-31"]
      .concat(["--model-type", "alert_scorer", "--data-dir", dataDir]),
  );
  assert.equal(code, 1);
  assert.equal(
    stderr.trim().split("\n").at(-1),
    `error: No embedded ClickHouse data in ${ROOT}${dataDir} (--data-dir ${dataDir}, ` +
      `resolved from ${
        ROOT.replace(/\/$/, "")
      }): run \`deno task demo\` or \`deno task generate\` ` +
      "first, or pass --data-dir or --clickhouse-url",
  );
  assert.equal(await Deno.stat(`${ROOT}${dataDir}`).catch(() => null), null);
});

Deno.test("without npm install, the command points to npm install, not to deno install", async () => {
  const copy = await Deno.makeTempDir({ prefix: "risktrain-no-npm-" });
  try {
    for (const entry of ["cli.ts", "deno.json", "package.json", "src"]) {
      const copied = await new Deno.Command("cp", { args: ["-r", `${ROOT}${entry}`, copy] })
        .output();
      assert.ok(copied.success);
    }
    const output = await runDeno(["run", "-q", "-P=models", "cli.ts", "models", "list"], {
      cwd: copy,
      color: true,
    });
    const stderr = output.stderr.trim();
    assert.equal(output.code, 1);
    assert.match(
      stderr,
      new RegExp(`^error: The npm package \\S+ is not installed: run \`npm install\` in ${copy} `),
    );
    assert.ok(!stderr.includes("deno install"), stderr);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
