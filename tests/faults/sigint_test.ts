/**
 * SIGINT and SIGTERM in each stage of a run (issue 12, failure 2): exit 130 within one
 * second of the signal's delivery, and nothing written to the output directory. The
 * stages: waiting for the embedded engine's lock, extraction, training, and connecting to
 * a server that never answers (waiting for an identical run's claim: concurrent_test.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../../src/clickhouse/embedded.ts";
import { silentServer } from "../support/silent_server.ts";
import {
  assertNoPartialArtifact,
  embeddedNetwork,
  interrupt,
  runCli,
  spawnCli,
  trainArgs,
} from "./fault_support.ts";

Deno.test("SIGINT and SIGTERM stop every stage of a run on the embedded engine", async (t) => {
  await using net = await embeddedNetwork();

  await t.step("while waiting for the engine's lock", async () => {
    const outputDir = join(net.dir, "lock");
    // This process holds the data directory, as another run would.
    const holder = await EmbeddedClickHouse.open({ dataDir: net.dataDir, create: false });
    try {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        const child = spawnCli(trainArgs("alert_scorer", outputDir, net.engine), {
          dir: net.dir,
        });
        await child.waitForStderr(/Waiting for .*process \d+/);
        await interrupt(child, signal);
      }
    } finally {
      await holder.close();
    }
    assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 0);
  });

  await t.step("during extraction", async () => {
    const outputDir = join(net.dir, "extract");
    const child = spawnCli(trainArgs("alert_ranker", outputDir, net.engine), { dir: net.dir });
    await child.waitForStderr(/Extracting alerts/);
    await interrupt(child);
    assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 0);
  });

  await t.step("during training", async () => {
    const outputDir = join(net.dir, "train");
    const child = spawnCli(
      trainArgs("alert_scorer", outputDir, net.engine, ["--trials", "40", "--folds", "3"]),
      { dir: net.dir },
    );
    await child.waitForStderr(/Training .*alert_scorer/);
    await interrupt(child, "SIGTERM");
    assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 0);
  });
});

Deno.test("a server that accepts and never answers", async (t) => {
  const server = silentServer();
  const dir = await Deno.makeTempDir({ prefix: "risktrain-faults-" });
  const args = (extra: string[] = []) =>
    trainArgs("alert_scorer", join(dir, "models"), ["--clickhouse-url", server.url, ...extra]);
  const options = { dir, flags: [`--allow-net=${server.host}`] };
  try {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      await t.step(`${signal} stops the run while it connects`, async () => {
        const connected = server.nextConnection();
        const child = spawnCli(args(), options);
        await connected; // the version query is sent and will never be answered
        await interrupt(child, signal);
      });
    }
    await t.step("--connect-timeout ends the wait with one line", async () => {
      const result = await runCli(args(["--connect-timeout", "1"]), options);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^error: ClickHouse at http:\/\/127\.0\.0\.1:\d+ did not answer within 1 s/m,
      );
    });
  } finally {
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
