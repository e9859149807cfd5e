import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { RiskTrainError } from "../src/errors.ts";
import { migrate } from "../src/schema/migrate.ts";
import { save } from "../src/notebook.ts";
import { findExisting, inspectModels, latest, list } from "../src/storage/registry.ts";
import { claimTraining } from "../src/storage/training_claim.ts";
import { trainedModelFixture } from "./support/trained_model.ts";

Deno.test("save() inserts the trained_models row after writing both files", async () => {
  const dir = await Deno.makeTempDir();
  await using clickhouse = await EmbeddedClickHouse.open({ dataDir: join(dir, "chdb") });
  const { database } = await migrate(clickhouse, { network: "torus" });
  const outputDir = join(dir, "models");
  const scorer = await save(trainedModelFixture(), { outputDir, clickhouse });
  const ranker = await save(trainedModelFixture({ modelType: "alert_ranker" }), {
    outputDir,
    clickhouse,
  });
  const rows = await clickhouse.query(
    "SELECT model_id, model_type, version, network, toString(training_start_date) AS start, " +
      "toString(training_end_date) AS end, model_path, metrics_json, hyperparameters_json, " +
      "feature_names, num_samples, num_features, test_auc, cv_auc_mean, cv_auc_std, " +
      "toUnixTimestamp(created_at) AS created " +
      "FROM {db:Identifier}.trained_models ORDER BY model_type DESC",
    { params: { db: database } },
  );
  assert.equal(rows.numRows, 2);
  const row = rows.get(0)!.toJSON();
  assert.match(row.model_id as string, /^torus_alert_scorer_v1_[0-9a-f]{8}$/);
  assert.equal(row.model_id, scorer.modelId);
  assert.equal(row.version, "1");
  assert.equal(row.start, "2024-01-01");
  assert.equal(row.end, "2024-03-31");
  assert.equal(row.model_path, await Deno.realPath(scorer.modelPath));
  assert.deepEqual(JSON.parse(row.metrics_json as string), scorer.metadata.metrics);
  assert.deepEqual([...(row.feature_names as Iterable<string>)], ["a", "b", "c"]);
  assert.equal(row.num_samples, 1000);
  assert.equal(row.num_features, 3);
  assert.ok(Math.abs((row.test_auc as number) - 0.81) < 1e-6);
  assert.ok(Math.abs((row.cv_auc_std as number) - 0.01) < 1e-6);
  assert.equal(row.created, Math.floor(Date.parse(scorer.metadata.timestamp) / 1000));
  // The ranker has no AUC: NaN in the row, its NDCG in metrics_json.
  const rankerRow = rows.get(1)!.toJSON();
  assert.equal(rankerRow.model_id, ranker.modelId);
  assert.ok(Number.isNaN(rankerRow.test_auc));
  assert.equal(JSON.parse(rankerRow.metrics_json as string)["ndcg@10"], 0.72);
  await clickhouse.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() keeps the files and names them when the registry insert fails", async () => {
  const dir = await Deno.makeTempDir();
  await using clickhouse = await EmbeddedClickHouse.open({ dataDir: join(dir, "chdb") });
  const outputDir = join(dir, "models");
  // No migrate: the database does not exist.
  await assert.rejects(
    save(trainedModelFixture(), { outputDir, clickhouse }),
    (e) =>
      e instanceof RiskTrainError && e.code === "DATABASE_NOT_FOUND" &&
      /saved to .*alert_scorer_v1_.*not registered in risk_scoring_torus\.trained_models/.test(
        e.message,
      ),
  );
  assert.equal((await list({ outputDir })).length, 1);
  await clickhouse.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("findExisting() finds a saved model by its configuration hash", async () => {
  const dir = await Deno.makeTempDir();
  const key = "0123456789abcdef".repeat(4);
  assert.equal(await findExisting(key, { outputDir: join(dir, "none") }), null);
  await save(trainedModelFixture({ configHash: "b".repeat(64) }), { outputDir: dir });
  assert.equal(await findExisting(key, { outputDir: dir }), null);
  const saved = await save(trainedModelFixture({ configHash: key }), { outputDir: dir });
  assert.equal((await findExisting(key, { outputDir: dir }))?.modelPath, saved.modelPath);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("claimTraining() makes an identical run wait, then find the model and skip", async () => {
  const dir = await Deno.makeTempDir();
  const key = "c".repeat(64);
  const events: string[] = [];
  const run = async (name: string) => {
    await using _claim = await claimTraining(key, { outputDir: dir });
    if (await findExisting(key, { outputDir: dir })) {
      events.push(`${name} skipped`);
      return;
    }
    events.push(`${name} trains`);
    await new Promise((done) => setTimeout(done, 200));
    await save(trainedModelFixture({ configHash: key }), { outputDir: dir });
    events.push(`${name} saved`);
  };
  await Promise.all([run("first"), run("second")]);
  // Either run may win the claim; the other waits for it to save, then skips.
  const winner = events[0].split(" ")[0];
  const loser = winner === "first" ? "second" : "first";
  assert.deepEqual(events, [`${winner} trains`, `${winner} saved`, `${loser} skipped`]);
  assert.equal((await list({ outputDir: dir })).length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("latest() and list() report a missing model or directory clearly", async () => {
  const dir = await Deno.makeTempDir();
  await save(trainedModelFixture({ network: "bitcoin" }), { outputDir: dir });
  await assert.rejects(
    latest("alert_scorer", { network: "torus", outputDir: dir }),
    (e) => e instanceof RiskTrainError && e.code === "MODEL_NOT_FOUND" && /torus/.test(e.message),
  );
  await assert.rejects(
    list({ outputDir: join(dir, "missing") }),
    (e) => e instanceof RiskTrainError && e.code === "STORAGE" && /not found/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("list() leaves out a metadata file that does not match the schema", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "alert_scorer_v1_20240101_000000.json"),
    JSON.stringify({ model_type: "alert_scorer" }),
  );
  const saved = await save(trainedModelFixture(), { outputDir: dir });
  assert.deepEqual((await list({ outputDir: dir })).map((e) => e.modelPath), [saved.modelPath]);
  const { broken } = await inspectModels(dir);
  assert.equal(broken.length, 1);
  assert.match(broken[0].reason, /schema: .*alert_scorer_v1_20240101_000000\.json/);
  // The broken file's version is not reused.
  assert.equal(saved.version, "2");
  await Deno.remove(dir, { recursive: true });
});
