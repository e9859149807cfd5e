import assert from "node:assert/strict";
import { join } from "node:path";
import { save } from "../src/notebook.ts";
import { directoryTag } from "../src/storage/registry_row.ts";
import { latest, list, load } from "../src/storage/registry.ts";
import { ModelMetadataSchema } from "../src/storage/metadata.ts";
import { RiskTrainError } from "../src/errors.ts";
import { trainedModelFixture } from "./support/trained_model.ts";

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const item of Deno.readDir(dir)) found.push(item.name);
  return found.sort();
}

Deno.test("save() writes <model_type>_v<version>_<timestamp>.txt and a schema-valid .json", async () => {
  const dir = await Deno.makeTempDir();
  const model = trainedModelFixture();
  const saved = await save(model, { outputDir: join(dir, "models") });
  assert.match(saved.modelPath, /\/alert_scorer_v1_\d{8}_\d{6}\.txt$/);
  assert.equal(saved.metadataPath, saved.modelPath.replace(/\.txt$/, ".json"));
  assert.equal(await Deno.readTextFile(saved.modelPath), model.modelText);
  const json = JSON.parse(await Deno.readTextFile(saved.metadataPath));
  const metadata = ModelMetadataSchema.parse(json);
  // The id ends in the directory's tag: unique across directories sharing a table.
  const tag = await directoryTag(await Deno.realPath(join(dir, "models")));
  assert.equal(metadata.model_id, `torus_alert_scorer_v1_${tag}`);
  assert.equal(metadata.version, "1");
  assert.equal(metadata.window_days, 7);
  assert.equal(metadata.threshold, 0.37);
  assert.equal(metadata.metrics.test_auc, 0.81);
  assert.deepEqual(metadata.training_period, { start_date: "2024-01-01", end_date: "2024-03-31" });
  assert.equal(metadata.split.test_start_date, "2024-03-11");
  assert.deepEqual(metadata.categorical_features[0].categories, ["PEEL_CHAIN", "STRUCTURING"]);
  assert.deepEqual(metadata.details.imbalance, {
    strategy: "scale_pos_weight",
    scale_pos_weight: 7.3,
  });
  assert.equal(metadata.toolkit_version, "0.1.0");
  // Nothing but the artifacts (the fixture carries no evaluation data, so no
  // .evaluation.json.gz) and the registry lock is left in the directory.
  assert.equal(saved.reportPath, saved.modelPath.replace(/\.txt$/, ".html"));
  assert.deepEqual(
    await names(join(dir, "models")),
    [
      ".registry.lock",
      saved.metadataPath.split("/").at(-1)!,
      saved.modelPath.split("/").at(-1)!,
      saved.reportPath.split("/").at(-1)!,
    ].sort(),
  );
  const loaded = await load(saved.modelPath);
  assert.equal(loaded.modelText, model.modelText);
  assert.deepEqual(loaded.metadata, metadata);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() numbers versions per model type and network", async () => {
  const dir = await Deno.makeTempDir();
  const versions = [];
  for (
    const [modelType, network] of [
      ["alert_scorer", "torus"],
      ["alert_scorer", "torus"],
      ["alert_scorer", "bitcoin"],
      ["alert_ranker", "torus"],
      ["alert_scorer", "torus"],
    ] as const
  ) {
    versions.push(
      (await save(trainedModelFixture({ modelType, network }), { outputDir: dir })).version,
    );
  }
  assert.deepEqual(versions, ["1", "2", "1", "1", "3"]);
  const ids = (await list({ outputDir: dir })).map((e) => e.metadata.model_id.slice(0, -9));
  assert.deepEqual(ids, [
    "bitcoin_alert_scorer_v1",
    "torus_alert_ranker_v1",
    "torus_alert_scorer_v1",
    "torus_alert_scorer_v2",
    "torus_alert_scorer_v3",
  ]);
  const newest = await latest("alert_scorer", { network: "torus", outputDir: dir });
  assert.equal(newest.metadata.version, "3");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() gives concurrent saves from separate processes distinct versions", async () => {
  const dir = await Deno.makeTempDir();
  const script = join(dir, "save_one.ts");
  await Deno.writeTextFile(
    script,
    `import { save } from ${JSON.stringify(new URL("../src/notebook.ts", import.meta.url).href)};
import { trainedModelFixture } from ${
      JSON.stringify(new URL("./support/trained_model.ts", import.meta.url).href)
    };
for (let i = 0; i < 3; i++) await save(trainedModelFixture(), { outputDir: Deno.args[0] });`,
  );
  const outputDir = join(dir, "models");
  const runs = await Promise.all([0, 1, 2].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        script,
        outputDir,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output()
  ));
  for (const run of runs) assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const versions = (await list({ outputDir })).map((e) => Number(e.metadata.version));
  assert.deepEqual(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a half-written model (temporary files, a .txt without its .json) is never listed or loaded", async () => {
  const dir = await Deno.makeTempDir();
  const saved = await save(trainedModelFixture(), { outputDir: dir });
  // What a process killed mid-save leaves behind: a staged temp file and a .txt renamed
  // into place whose .json never was.
  await Deno.writeTextFile(join(dir, ".alert_scorer_v2_20991231_235959.json.1234.tmp"), '{"trunc');
  const orphan = join(dir, "alert_scorer_v2_20991231_235959.txt");
  await Deno.writeTextFile(orphan, "tree\n");
  const entries = await list({ outputDir: dir });
  assert.deepEqual(entries.map((e) => e.modelPath), [saved.modelPath]);
  assert.equal(
    (await latest("alert_scorer", { network: "torus", outputDir: dir })).modelPath,
    saved.modelPath,
  );
  await assert.rejects(
    load(orphan),
    (e) => e instanceof RiskTrainError && e.code === "MODEL_NOT_FOUND",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() with an aborted signal leaves nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    save(trainedModelFixture(), { outputDir: dir, signal: controller.signal }),
    (e) => e instanceof RiskTrainError && e.code === "CANCELLED",
  );
  assert.deepEqual(await names(dir), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("load() rejects a model file that does not match its metadata's checksum", async () => {
  const dir = await Deno.makeTempDir();
  const saved = await save(trainedModelFixture(), { outputDir: dir });
  await Deno.writeTextFile(saved.modelPath, "tree\nversion=v4\ntampered\n");
  await assert.rejects(load(saved.metadataPath), /does not match the checksum/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() refuses a model without the details train() records", async () => {
  const dir = await Deno.makeTempDir();
  const model = trainedModelFixture();
  const { seed: _seed, ...details } = model.details as Record<string, unknown>;
  await assert.rejects(
    save({ ...model, details }, { outputDir: dir }),
    (e) => e instanceof RiskTrainError && e.code === "DATA_INVALID" && /seed/.test(e.message),
  );
  assert.deepEqual(await names(dir), [".registry.lock"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() keeps a ranker's missing AUC as null in the metadata", async () => {
  const dir = await Deno.makeTempDir();
  const model = trainedModelFixture({ modelType: "alert_ranker" });
  const saved = await save({ ...model, metrics: { ...model.metrics, test_auc: NaN } }, {
    outputDir: dir,
  });
  assert.equal(saved.metadata.metrics.test_auc, null);
  assert.equal(saved.metadata.threshold, null);
  await Deno.remove(dir, { recursive: true });
});
