import assert from "node:assert/strict";
import { formatMessage } from "npm:@optique/core@0.7.19/message";
import { getDocPage } from "npm:@optique/core@0.7.19/parser";
import type { Usage } from "npm:@optique/core@0.7.19/usage";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { findParser, GROUPS, helpPage, nameOf, usageLine } from "../src/cli/help.ts";
import { figure, humanValue, seconds } from "../src/cli/human.ts";
import { humanFormatter } from "../src/cli/logging.ts";
import { barLine, clock } from "../src/cli/progress.ts";
import { cliParser } from "../src/cli/parser.ts";
import { optionNames, parseCommandLine } from "../src/cli/usage.ts";
import { flagProblems } from "../src/cli/flag_errors.ts";
import { RiskTrainError } from "../src/errors.ts";
import { z } from "npm:zod@4.6.7";
import { captureLogs } from "./support/capture_logs.ts";

/** Every command path: `train`, ..., `models list`, `models show`. */
function commandPaths(): string[][] {
  const paths: string[][] = [];
  for (const parser of GROUPS[""]) {
    const name = nameOf(parser);
    const group = GROUPS[name];
    if (group) { for (const sub of group) paths.push([name, nameOf(sub)]); }
    else paths.push([name]);
  }
  return paths;
}

function usageOf(args: string[]): string {
  const line = parseCommandLine(args);
  assert.equal(line.kind, "usage", JSON.stringify(line));
  return (line as { text: string }).text;
}

Deno.test("parseCommandLine suggests the nearest option and names every missing one", async (t) => {
  await t.step("--trails", () => {
    const text = usageOf(["train", "--trails", "2"]);
    assert.match(text, /^Error: Unknown option --trails\. Did you mean --trials\?$/m);
    assert.match(
      text,
      /^Error: Missing options --network, --start-date, --end-date, --model-type$/m,
    );
  });
  await t.step("--fold", () => {
    assert.match(usageOf(["demo", "--fold", "2"]), /Did you mean --folds\?/);
  });
  await t.step("an option far from every name gets no suggestion", () => {
    assert.match(
      usageOf(["migrate", "--network", "x", "--zzzzzz"]),
      /^Error: Unknown option --zzzzzz$/m,
    );
  });
  await t.step("a misspelt command", () => {
    assert.match(usageOf(["trian"]), /^Error: Unknown command trian\. Did you mean train\?$/m);
    assert.match(
      usageOf(["models", "lst"]),
      /^Error: Unknown models command lst\. Did you mean list\?/m,
    );
  });
  await t.step("a value error keeps Optique's message, in flag names", () => {
    const text = usageOf(["migrate", "--network", "Torus"]);
    assert.match(text, /^Usage: deno task migrate --network NETWORK \[OPTIONS\]$/m);
    assert.match(text, /--network/);
  });
  await t.step("the usage line is the command's own, not every command's", () => {
    const text = usageOf(["train"]);
    assert.equal(text.split("\n").filter((l) => l.startsWith("Usage:")).length, 1);
    assert.ok(!text.includes("deno task demo"));
  });
});

Deno.test("parseCommandLine checks options against each other in flag names", () => {
  const text = usageOf([
    "features",
    "--network",
    "demo",
    "--start-date",
    "2024-02-01",
    "--end-date",
    "2024-01-01",
    "--model-type",
    "alert_scorer",
  ]);
  assert.match(text, /^Error: --start-date 2024-02-01 is after --end-date 2024-01-01$/m);
});

Deno.test("parseCommandLine: help, version and commands to run", () => {
  assert.equal(parseCommandLine([]).kind, "help");
  assert.equal(parseCommandLine(["train", "--help"]).kind, "help");
  assert.equal(parseCommandLine(["models", "list", "-h"]).kind, "help");
  assert.equal(parseCommandLine(["train", "--version"]).kind, "version");
  const show = parseCommandLine(["models", "show", "m1"]);
  assert.equal(show.kind, "run");
  assert.deepEqual(
    show.kind === "run" &&
      { command: show.command.command, model: "model" in show.command && show.command.model },
    { command: "models-show", model: "m1" },
  );
});

/** Options in a usage, with whether they are optional and take a value. */
function optionTerms(
  usage: Usage,
  optional = false,
): { name: string; optional: boolean; valued: boolean }[] {
  return usage.flatMap((term) => {
    if (term.type === "option") {
      return [{ name: term.names[0], optional, valued: term.metavar !== undefined }];
    }
    if (term.type === "optional") return optionTerms(term.terms, true);
    if (term.type === "multiple") return optionTerms(term.terms, optional || term.min === 0);
    return [];
  });
}

Deno.test("every command's help: a description, every option described with its default, examples", async (t) => {
  for (const path of commandPaths()) {
    await t.step(path.join(" "), () => {
      const page = getDocPage(cliParser, path)!;
      assert.ok(page.description && formatMessage(page.description).length > 10);
      const descriptions = new Map<string, string>();
      for (const section of page.sections) {
        for (const entry of section.entries) {
          const name = entry.term.type === "option"
            ? entry.term.names[0]
            : entry.term.type === "argument"
            ? entry.term.metavar
            : "";
          descriptions.set(name, entry.description ? formatMessage(entry.description) : "");
        }
      }
      for (const option of optionTerms(findParser(path)!.usage)) {
        const description = descriptions.get(option.name) ?? "";
        assert.match(description, /^[A-Z]/, `${option.name} has no description`);
        assert.ok(!description.includes('"'), `${option.name}: quoted default: ${description}`);
        if (option.optional && option.valued) {
          assert.match(
            description,
            /\((env [A-Z_]+; )?default [^)]+\)$/,
            `${option.name}: ${description}`,
          );
        }
      }
      const text = helpPage(path)!;
      assert.ok(text.startsWith(`Usage: ${usageLine(path)}\n`));
      const examples = text.split("\n").filter((l) =>
        l.startsWith(`  deno task ${path.join(" ")}`)
      );
      assert.ok(examples.length >= 2, `${path.join(" ")}: ${examples.length} examples`);
      // Each example parses as the command it illustrates.
      for (const example of examples) {
        const args = example.trim().split(/\s+/).slice(2);
        const line = parseCommandLine(args);
        if (!args.includes("MODEL")) {
          assert.equal(line.kind, "run", `${example}: ${JSON.stringify(line)}`);
        }
      }
    });
  }
});

Deno.test("figures for people: 4 significant digits, seconds to 0.1 s, strings bare", () => {
  assert.equal(figure(0.939910767606596), "0.9399");
  assert.equal(figure(0.004123456), "0.004123");
  assert.equal(figure(336621), "336621");
  assert.equal(figure(Number.NaN), "NaN");
  assert.equal(seconds(1.9878345010000003), "2.0");
  assert.equal(humanValue("seconds", 1.9878345010000003), "2.0");
  assert.equal(humanValue("version", "1"), "1");
  assert.equal(humanValue("windows", [7, 30]), "7, 30");
});

Deno.test("the terminal's log lines round the message's figures; JSON keeps them whole", async () => {
  const records = await captureLogs(() =>
    getLogger(["risktrain", "test"]).info(
      "Trained {modelType} in {seconds} s: auc {auc}, version {version}",
      {
        modelType: "alert_scorer",
        seconds: 1.9878345010000003,
        auc: 0.939910767606596,
        version: "1",
      },
    )
  );
  const expected =
    /^\d\d:\d\d:\d\d\.\d{3} \[?INF\]? risktrain·test: Trained alert_scorer in 2\.0 s: auc 0\.9399, version 1\n?$/;
  assert.match(humanFormatter(false)(records[0]), expected);
  // deno-lint-ignore no-control-regex
  assert.match(humanFormatter(true)(records[0]).replace(/\x1b\[[0-9;]*m/g, ""), expected);
  assert.equal(records[0].properties.auc, 0.939910767606596);
});

Deno.test("a bar's line: label, bar, percentage, done/total, elapsed and ETA", () => {
  assert.equal(clock(75), "1:15");
  assert.equal(clock(3725), "1:02:05");
  assert.equal(
    barLine({ label: "Searching (rung 1)", done: 2500, total: 10000, unit: "rounds" }, 30, 8),
    "Searching (rung 1)     [██░░░░░░]  25% 2,500/10,000 rounds  0:30 elapsed  ETA 1:30",
  );
  assert.match(
    barLine({ label: "Final fit", done: 0, total: 75, unit: "rounds" }, 0, 8),
    /ETA --:--$/,
  );
});

Deno.test("a library options error is said in the command's flag names", () => {
  const schema = z.object({ trials: z.int().max(1000), startDate: z.string().min(10) });
  const cause = schema.safeParse({ trials: 5000, startDate: "x" }).error!;
  const error = new RiskTrainError("CONFIG_INVALID", "Invalid training options", { cause });
  assert.deepEqual(flagProblems(error, optionNames(["train"])), [
    "--trials: Too big: expected number to be <=1000",
    "--start-date: Too small: expected string to have >=10 characters",
  ]);
  assert.deepEqual(flagProblems(cause, optionNames(["train"]))?.length, 2);
  // An issue about something that is not a flag of the command stays the library's error.
  assert.equal(flagProblems(error, optionNames(["migrate"])), null);
  assert.equal(flagProblems(new RiskTrainError("NO_DATA", "No alerts"), new Set()), null);
});

Deno.test("parseCommandLine takes the word after an unknown option as its value", () => {
  const text = usageOf(["models", "show", "--ouput-dir", "x", "m1"]);
  assert.deepEqual(text.split("\n").filter((l) => l.startsWith("Error:")), [
    "Error: Unknown option --ouput-dir. Did you mean --output-dir?",
  ]);
});
