/**
 * Concurrent runs on both engines (issue 12, failures 1 and 2b): identical runs produce one
 * model, different runs both succeed; on the embedded engine the second process waits for
 * the first (a log line names it) and chDB's native lock error never shows; a run waiting
 * for an identical run's claim stops on SIGINT.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../../src/clickhouse/embedded.ts";
import { startChdbHttpServer } from "../support/chdb_http_harness.ts";
import {
  assertNoPartialArtifact,
  type CliResult,
  embeddedNetwork,
  generateArgs,
  interrupt,
  registeredPaths,
  runCli,
  spawnCli,
  trainArgs,
} from "./fault_support.ts";

function assertClean(result: CliResult, what: string): void {
  assert.equal(result.code, 0, `${what} failed: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /DB::Exception|Code: 76|Cannot lock file/);
}

Deno.test("concurrent runs on the embedded engine", async (t) => {
  await using net = await embeddedNetwork();

  await t.step("two identical runs at once produce one model", async () => {
    const outputDir = join(net.dir, "same");
    const first = spawnCli(trainArgs("alert_scorer", outputDir, net.engine), { dir: net.dir });
    await first.waitForStderr(/Extracting/);
    const second = spawnCli(trainArgs("alert_scorer", outputDir, net.engine), { dir: net.dir });
    const [a, b] = await Promise.all([first.done, second.done]);
    assertClean(a, "the first run");
    assertClean(b, "the second run");
    assert.match(a.stdout, /^Trained alert_scorer version 1/);
    assert.match(b.stdout, /^Skipped alert_scorer/);
    // (The second usually logs "Waiting for process N ..."; sigint_test.ts checks that line
    // with a holder that cannot finish first.)
    const { intact } = await assertNoPartialArtifact(outputDir);
    assert.equal(intact.length, 1);
    assert.equal((await registeredPaths(net.dataDir)).length, 1);
  });

  await t.step("alert_scorer and cluster_scorer at once both succeed", async () => {
    const outputDir = join(net.dir, "different");
    const scorer = spawnCli(trainArgs("alert_scorer", outputDir, net.engine), { dir: net.dir });
    const cluster = spawnCli(trainArgs("cluster_scorer", outputDir, net.engine), {
      dir: net.dir,
    });
    const [a, b] = await Promise.all([scorer.done, cluster.done]);
    assertClean(a, "alert_scorer");
    assertClean(b, "cluster_scorer");
    const { intact } = await assertNoPartialArtifact(outputDir);
    assert.deepEqual(intact.map((m) => m.metadata.model_type).sort(), [
      "alert_scorer",
      "cluster_scorer",
    ]);
  });

  await t.step("--lock-timeout ends the wait with one line naming the holder", async () => {
    // This process holds the data directory, as another run would.
    const holder = await EmbeddedClickHouse.open({ dataDir: net.dataDir, create: false });
    try {
      const second = await runCli(
        trainArgs("alert_ranker", join(net.dir, "timeout"), net.engine, ["--lock-timeout", "0"]),
        { dir: net.dir },
      );
      assert.equal(second.code, 1);
      const errors = second.stderr.split("\n").filter((line) => line.startsWith("error: "));
      assert.equal(errors.length, 1, second.stderr);
      assert.match(
        errors[0],
        new RegExp(
          "^error: Timed out after 0 s waiting for the lock .*chdb/\\.risktrain\\.lock " +
            `\\(held by process ${Deno.pid} since `,
        ),
      );
    } finally {
      await holder.close();
    }
  });
});

Deno.test("concurrent runs on a ClickHouse server", async (t) => {
  await using server = await startChdbHttpServer();
  const dir = await Deno.makeTempDir({ prefix: "risktrain-faults-" });
  const engine = ["--clickhouse-url", server.url];
  const options = { dir, flags: [`--allow-net=127.0.0.1:${server.port}`] };
  try {
    const generated = await runCli(generateArgs(engine), options);
    assert.equal(generated.code, 0, generated.stderr);

    await t.step("two identical runs at once produce one model", async () => {
      const outputDir = join(dir, "same");
      const runs = [0, 1].map(() =>
        spawnCli(trainArgs("alert_scorer", outputDir, engine), options)
      );
      const results = await Promise.all(runs.map((r) => r.done));
      for (const result of results) assertClean(result, "a run");
      assert.deepEqual(
        results.map((r) => r.stdout.split(" ")[0]).sort(),
        ["Skipped", "Trained"],
      );
      assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 1);
    });

    await t.step("different runs at once both succeed", async () => {
      const outputDir = join(dir, "different");
      const runs = ["alert_scorer", "cluster_scorer"].map((type) =>
        spawnCli(trainArgs(type, outputDir, engine), options)
      );
      for (const result of await Promise.all(runs.map((r) => r.done))) {
        assertClean(result, "a run");
      }
      assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 2);
    });

    await t.step("SIGINT stops a run waiting for an identical run's claim", async () => {
      const outputDir = join(dir, "claim");
      const slow = ["--trials", "40", "--folds", "3"];
      const first = spawnCli(trainArgs("alert_scorer", outputDir, engine, slow), options);
      await first.waitForStderr(/Training .*alert_scorer/);
      const second = spawnCli(trainArgs("alert_scorer", outputDir, engine, slow), options);
      await second.waitForStderr(/which trains the same configuration/);
      await interrupt(second);
      await interrupt(first);
      assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 0);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
