/**
 * Generation time of the synthetic network: `generate()` on the embedded engine for the
 * demo's 120,000 alerts (60 days x 2,000) and for 1,000,000 alerts (100 days x 10,000),
 * one window, each in a fresh data directory, in a child process (chDB allows one data
 * directory per process). Run with `deno bench -A bench/generate_bench.ts`; after Deno's
 * table it prints, per run, wall-clock and CPU seconds (the child's, ClickHouse's threads
 * included), alerts/s and the rows of every input table. `deno bench` calls every case at
 * least three times, so the 1M case (about 3 CPU minutes a run) only runs with
 * `RISKTRAIN_BENCH_1M=1`; `deno run -A bench/generate_bench.ts 100 10000` runs it once and
 * prints the result as JSON.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { generate, type GenerateResult } from "../src/generate/generate.ts";

const CASES = [
  { name: "120k alerts (60 days x 2,000)", days: 60, alertsPerDay: 2_000, full: false },
  { name: "1M alerts (100 days x 10,000)", days: 100, alertsPerDay: 10_000, full: true },
];

/** Child mode: generate one case into a fresh data directory, print the result as JSON. */
async function child(days: number, alertsPerDay: number): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "risktrain-generate-bench-" });
  try {
    const ch = await openClickHouse({ dataDir });
    try {
      const before = cpuUsage();
      const result = await generate(ch, { network: "bench", days, alertsPerDay, seed: 42 });
      const { user, system } = cpuUsage(before);
      console.log(JSON.stringify({ ...result, cpuSeconds: (user + system) / 1e6 }));
    } finally {
      await ch.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

if (import.meta.main) {
  await child(Number(Deno.args[0]), Number(Deno.args[1]));
} else {
  const results: { name: string; result: GenerateResult & { cpuSeconds: number } }[] = [];
  const full = Deno.env.get("RISKTRAIN_BENCH_1M") === "1";
  for (const { name, days, alertsPerDay, full: large } of CASES) {
    Deno.bench({
      name,
      ignore: large && !full,
      n: 1,
      warmup: 0,
      async fn() {
        const output = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            new URL(import.meta.url).pathname,
            String(days),
            String(alertsPerDay),
          ],
          stdout: "piped",
          stderr: "inherit",
        }).output();
        if (!output.success) throw new Error(`Generation of ${name} failed`);
        const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
        results.push({ name, result: JSON.parse(lines.at(-1)!) });
      },
    });
  }
  globalThis.addEventListener("unload", () => {
    console.log(
      "\n| case | wall s | CPU s | alerts/s | alerts | clusters | flows | features | labels |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const { name, result: { seconds, cpuSeconds, rows } } of results) {
      const cells = [
        rows.raw_alerts,
        rows.raw_clusters,
        rows.raw_money_flows,
        rows.raw_features,
        rows.raw_address_labels,
      ].map((n) => n.toLocaleString("en"));
      console.log(
        `| ${name} | ${seconds.toFixed(1)} | ${cpuSeconds.toFixed(1)} | ${
          Math.round(rows.raw_alerts / seconds).toLocaleString("en")
        } | ${cells.join(" | ")} |`,
      );
    }
  });
}
