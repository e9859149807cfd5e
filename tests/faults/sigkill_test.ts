/**
 * SIGKILL at seeded points of small runs (issue 12, failure 3): no model left broken,
 * list/latest return only intact models, and rerunning each killed configuration ends
 * with files and registry agreeing (`models doctor`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { mulberry32 } from "../../src/lightgbm/_mulberry32.ts";
import { EmbeddedClickHouse } from "../../src/clickhouse/embedded.ts";
import { latest, list } from "../../src/storage/registry.ts";
import {
  assertNoPartialArtifact,
  type EmbeddedNetwork,
  embeddedNetwork,
  NETWORK,
  registeredPaths,
  runCli,
  spawnCli,
  trainArgs,
} from "./fault_support.ts";

const KILLS = 4;
const SEED = 20261203;

Deno.test("SIGKILL and reruns on the embedded engine", async (t) => {
  await using net = await embeddedNetwork();
  await t.step("SIGKILL at seeded delays over a run loses nothing", () => seededKills(net));
  await t.step("a rerun repairs the registry from the files", (t) => rerunsRepair(net, t));
});

async function seededKills(net: EmbeddedNetwork): Promise<void> {
  const outputDir = join(net.dir, "killed");
  // The length of a whole run, over which the kill delays are spread.
  const started = performance.now();
  const reference = await runCli(trainArgs("alert_scorer", outputDir, net.engine), {
    dir: net.dir,
  });
  assert.equal(reference.code, 0, reference.stderr);
  const runMs = reference.endedAt - started;
  const random = mulberry32(SEED);
  const delays = Array.from(
    { length: KILLS },
    (_, i) => Math.round((i + random()) / KILLS * runMs),
  );

  for (const [i, delay] of delays.entries()) {
    // Each killed run trains its own configuration (seed), so that each rerun below
    // meets whatever that kill left behind.
    const args = trainArgs("alert_scorer", outputDir, net.engine, ["--seed", String(i + 1)]);
    const child = spawnCli(args, { dir: net.dir });
    await new Promise((done) => setTimeout(done, delay));
    try {
      child.process.kill("SIGKILL");
    } catch { /* the run had already ended */ }
    const result = await child.done;
    const { intact } = await assertNoPartialArtifact(outputDir);
    const listed = await list({ outputDir });
    assert.deepEqual(listed.map((e) => e.metadataPath), intact.map((m) => m.metadataPath));
    const newest = await latest("alert_scorer", { network: NETWORK.network, outputDir });
    assert.equal(newest.metadataPath, intact.at(-1)!.metadataPath);
    assert.ok(result.signal === "SIGKILL" || result.code === 0, `kill ${i} at ${delay} ms`);
  }

  for (const i of delays.keys()) {
    const args = trainArgs("alert_scorer", outputDir, net.engine, ["--seed", String(i + 1)]);
    const rerun = await runCli(args, { dir: net.dir });
    assert.equal(rerun.code, 0, rerun.stderr);
  }
  const doctor = await runCli(
    ["models", "doctor", "--output-dir", outputDir, ...net.engine],
    { dir: net.dir },
  );
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /Files and registry agree/);
  const { intact } = await assertNoPartialArtifact(outputDir);
  assert.ok(intact.length >= KILLS + 1);
}

async function rerunsRepair(net: EmbeddedNetwork, t: Deno.TestContext): Promise<void> {
  const outputDir = join(net.dir, "repaired");
  const args = trainArgs("cluster_scorer", outputDir, net.engine);
  const first = await runCli(args, { dir: net.dir });
  assert.equal(first.code, 0, first.stderr);
  const database = `risk_scoring_${NETWORK.network}`;
  const sql = async (statement: string) => {
    await using ch = await EmbeddedClickHouse.open({ dataDir: net.dataDir, create: false });
    await ch.command(statement, {
      params: { db: database },
      settings: { mutations_sync: 2 },
    });
  };

  await t.step(
    "files without their row (killed after 'Saved model'): the skip inserts it",
    async () => {
      await sql("ALTER TABLE {db:Identifier}.trained_models DELETE WHERE 1");
      assert.deepEqual(await registeredPaths(net.dataDir), []);
      const rerun = await runCli(args, { dir: net.dir });
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stdout, /^Skipped/);
      assert.equal((await registeredPaths(net.dataDir)).length, 1);
    },
  );

  await t.step("a dropped and re-migrated table: the skip inserts the row", async () => {
    await sql("DROP TABLE {db:Identifier}.trained_models");
    const migrated = await runCli(["migrate", "--network", NETWORK.network, ...net.engine], {
      dir: net.dir,
    });
    assert.equal(migrated.code, 0, migrated.stderr);
    const rerun = await runCli(args, { dir: net.dir });
    assert.match(rerun.stdout, /^Skipped/);
    assert.equal((await registeredPaths(net.dataDir, outputDir)).length, 1);
  });

  await t.step("a truncated model is reported and a new one trained", async () => {
    const [model] = await list({ outputDir });
    const text = await Deno.readTextFile(model.modelPath);
    await Deno.writeTextFile(model.modelPath, text.slice(0, text.length / 2));
    const rerun = await runCli(args, { dir: net.dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /^Trained cluster_scorer version 2/);
    assert.match(rerun.stderr, /is broken .*Model file does not match the checksum/);
    const doctor = await runCli(
      ["models", "doctor", "--output-dir", outputDir, ...net.engine],
      { dir: net.dir },
    );
    // The broken v1 stays (files are never deleted) and is reported, as is its row.
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /found {2}broken-model .*cluster_scorer_v1_/);
    assert.match(doctor.stdout, /found {2}orphan-row .*cluster_scorer_v1_/);
  });

  await t.step("two output directories sharing the table get distinct model ids", async () => {
    const other = join(net.dir, "other");
    const run = await runCli(trainArgs("cluster_scorer", other, net.engine), { dir: net.dir });
    assert.equal(run.code, 0, run.stderr);
    await using ch = await EmbeddedClickHouse.open({ dataDir: net.dataDir, create: false });
    const ids = await ch.query(
      "SELECT model_id, count() AS n FROM {db:Identifier}.trained_models GROUP BY model_id " +
        "HAVING n > 1",
      { params: { db: database } },
    );
    assert.equal(ids.numRows, 0);
  });
}
