import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { RiskTrainError } from "../src/errors.ts";
import { migrate } from "../src/schema/migrate.ts";
import { checkRegistry } from "../src/storage/doctor.ts";
import { findExisting, latest, list, load } from "../src/storage/registry.ts";
import { ensureRegistered } from "../src/storage/registry_row.ts";
import { save } from "../src/notebook.ts";
import { trainedModelFixture } from "./support/trained_model.ts";

const isError = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof RiskTrainError && e.code === code && pattern.test(e.message);

async function rows(ch: EmbeddedClickHouse, db: string): Promise<Record<string, unknown>[]> {
  const table = await ch.query(
    "SELECT model_id, model_path FROM {db:Identifier}.trained_models ORDER BY model_path, model_id",
    { params: { db } },
  );
  return table.toArray().map((row) => row.toJSON());
}

Deno.test("the registry repairs itself from the files (issue 12, failure 3)", async (t) => {
  const dir = await Deno.makeTempDir();
  await using ch = await EmbeddedClickHouse.open({ dataDir: join(dir, "chdb") });
  const { database } = await migrate(ch, { network: "torus" });
  const key = "d".repeat(64);

  await t.step("a model saved without its row gets the row on the next check (3a)", async () => {
    const outputDir = join(dir, "a");
    // What a run killed between the files and the insert leaves: files, no row.
    const saved = await save(trainedModelFixture({ configHash: key }), { outputDir });
    const existing = await findExisting(key, { outputDir });
    assert.ok(existing);
    const path = await Deno.realPath(existing.modelPath);
    assert.equal(await ensureRegistered(ch, database, existing.metadata, path), true);
    assert.equal(await ensureRegistered(ch, database, existing.metadata, path), false);
    assert.deepEqual(await rows(ch, database), [{ model_id: saved.modelId, model_path: path }]);
  });

  await t.step("a dropped and re-created table is filled again (3b)", async () => {
    await ch.command("DROP TABLE {db:Identifier}.trained_models", { params: { db: database } });
    await migrate(ch, { network: "torus" });
    const existing = (await findExisting(key, { outputDir: join(dir, "a") }))!;
    const path = await Deno.realPath(existing.modelPath);
    assert.equal(await ensureRegistered(ch, database, existing.metadata, path), true);
    assert.equal((await rows(ch, database)).length, 1);
  });

  await t.step(
    "a truncated model is not found as existing, so a new one is trained (3c)",
    async () => {
      const outputDir = join(dir, "c");
      const saved = await save(trainedModelFixture({ configHash: key }), { outputDir });
      const text = await Deno.readTextFile(saved.modelPath);
      await Deno.writeTextFile(saved.modelPath, text.slice(0, 10));
      assert.equal(await findExisting(key, { outputDir }), null);
      await assert.rejects(load(saved.modelPath), isError("STORAGE", /checksum/));
      assert.deepEqual(await list({ outputDir }), []);
      await assert.rejects(
        latest("alert_scorer", { network: "torus", outputDir }),
        isError("MODEL_NOT_FOUND", /No alert_scorer/),
      );
      // The next save takes the next version; list and latest return only the intact one.
      const again = await save(trainedModelFixture({ configHash: key }), { outputDir });
      assert.equal(again.version, "2");
      assert.equal((await findExisting(key, { outputDir }))?.modelPath, again.modelPath);
      assert.equal(
        (await latest("alert_scorer", { network: "torus", outputDir })).modelPath,
        again.modelPath,
      );
    },
  );

  await t.step("model ids are unique across output directories sharing a table (3d)", async () => {
    const first = await save(trainedModelFixture(), {
      outputDir: join(dir, "d1"),
      clickhouse: ch,
    });
    const second = await save(trainedModelFixture(), {
      outputDir: join(dir, "d2"),
      clickhouse: ch,
    });
    assert.equal(first.version, "1");
    assert.equal(second.version, "1");
    assert.notEqual(first.modelId, second.modelId);
    const ids = (await rows(ch, database)).map((r) => r.model_id);
    assert.equal(new Set(ids).size, ids.length);
  });

  await t.step("checkRegistry() lists and repairs every disagreement", async () => {
    const outputDir = join(dir, "doctor");
    const kept = await save(trainedModelFixture({ configHash: "1".repeat(64) }), {
      outputDir,
      clickhouse: ch,
    });
    const unregistered = await save(trainedModelFixture({ configHash: "2".repeat(64) }), {
      outputDir,
    });
    const gone = await save(trainedModelFixture({ configHash: "3".repeat(64) }), {
      outputDir,
      clickhouse: ch,
    });
    const legacy = await save(trainedModelFixture({ configHash: "4".repeat(64) }), {
      outputDir,
    });
    const real = await Deno.realPath(outputDir);
    // An old row: the id before ids named the directory.
    await ch.insert("trained_models", [{
      model_id: legacy.modelId.replace(/_[0-9a-f]{8}$/, ""),
      model_type: "alert_scorer",
      version: legacy.version,
      network: "torus",
      model_path: join(real, legacy.modelPath.split("/").at(-1)!),
    }], { database });
    await Deno.remove(gone.modelPath);
    const found = await checkRegistry(ch, { outputDir });
    assert.deepEqual(
      found.map((p) => [p.kind, p.path.split("/").at(-1), p.repaired]).sort(),
      [
        ["broken-model", gone.metadataPath.split("/").at(-1), false],
        ["missing-row", unregistered.modelPath.split("/").at(-1), false],
        ["orphan-row", gone.modelPath.split("/").at(-1), false],
        ["stale-id", legacy.modelPath.split("/").at(-1), false],
      ].sort(),
    );
    const repaired = await checkRegistry(ch, { outputDir, repair: true });
    assert.deepEqual(repaired.filter((p) => !p.repaired).map((p) => p.kind), ["broken-model"]);
    const after = await checkRegistry(ch, { outputDir });
    assert.deepEqual(after.map((p) => p.kind), ["broken-model"]);
    const registered = (await rows(ch, database)).filter((r) =>
      (r.model_path as string).startsWith(`${real}/`)
    );
    assert.deepEqual(
      registered.map((r) => r.model_id).sort(),
      [kept.modelId, unregistered.modelId, legacy.modelId].sort(),
    );
  });

  await ch.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("metadata paths stay inside the output directory (issue 12, failure 4)", async (t) => {
  const dir = await Deno.makeTempDir();
  const outputDir = join(dir, "models");
  const saved = await save(trainedModelFixture(), { outputDir });

  await t.step("a model_file that leads out of the directory is refused", async () => {
    const evil = join(dir, "x");
    await Deno.mkdir(evil);
    await Deno.copyFile(saved.modelPath, join(evil, "evil.txt"));
    const metadata = JSON.parse(await Deno.readTextFile(saved.metadataPath));
    metadata.model_file = "../x/evil.txt"; // the sha256 matches evil.txt
    await Deno.writeTextFile(saved.metadataPath, JSON.stringify(metadata));
    await assert.rejects(load(saved.metadataPath), isError("STORAGE", /base name/));
    await assert.rejects(
      latest("alert_scorer", { network: "torus", outputDir }),
      isError("MODEL_NOT_FOUND", /No alert_scorer/),
    );
    assert.deepEqual(await list({ outputDir }), []);
  });

  await t.step("save() refuses an output directory that a symlink leads outside", async () => {
    const outside = await Deno.makeTempDir();
    const allowed = join(dir, "allowed");
    await Deno.mkdir(allowed);
    await Deno.symlink(outside, join(allowed, "link"));
    await assert.rejects(
      save(trainedModelFixture(), { outputDir: join(allowed, "link"), allowedDir: allowed }),
      isError("STORAGE", /Refusing to write outside .*allowed.*resolves to/),
    );
    await assert.rejects(
      save(trainedModelFixture(), { outputDir: join(allowed, "link", "sub"), allowedDir: allowed }),
      isError("STORAGE", /Refusing to write outside/),
    );
    assert.deepEqual([...Deno.readDirSync(outside)], []);
    await Deno.remove(outside, { recursive: true });
  });

  await t.step("save() refuses a lock file that is a symlink", async () => {
    const target = join(dir, "target.txt");
    await Deno.writeTextFile(target, "keep");
    const linked = join(dir, "linked");
    await Deno.mkdir(linked);
    await Deno.symlink(target, join(linked, ".registry.lock"));
    await assert.rejects(
      save(trainedModelFixture(), { outputDir: linked }),
      isError("STORAGE", /Refusing to write outside/),
    );
    assert.equal(await Deno.readTextFile(target), "keep");
  });

  await Deno.remove(dir, { recursive: true });
});

Deno.test("save() removes what a killed save left: staging files, a .txt, .html or .evaluation.json.gz without its .json", async () => {
  const dir = await Deno.makeTempDir();
  const staged = join(dir, `.alert_scorer_v1_20240101_000000.txt.${crypto.randomUUID()}.tmp`);
  const orphan = join(dir, "alert_scorer_v1_20240101_000000.txt");
  await Deno.writeTextFile(staged, "partial");
  await Deno.writeTextFile(orphan, "tree\n");
  await Deno.writeTextFile(join(dir, "alert_scorer_v1_20240101_000000.html"), "<html>");
  await Deno.writeTextFile(join(dir, "alert_scorer_v1_20240101_000000.evaluation.json.gz"), "gz");
  await Deno.writeTextFile(
    join(dir, `.alert_scorer_v1_20240101_000000.evaluation.json.gz.${crypto.randomUUID()}.tmp`),
    "{",
  );
  const saved = await save(trainedModelFixture(), { outputDir: dir });
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.deepEqual(names.filter((name) => name.includes("20240101_000000")), []);
  assert.ok(names.includes(saved.modelPath.split("/").at(-1)!));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a metadata version out of range never costs a trained model (issue 12, failure 5)", async () => {
  const dir = await Deno.makeTempDir();
  const first = await save(trainedModelFixture(), { outputDir: dir });
  const metadata = JSON.parse(await Deno.readTextFile(first.metadataPath));
  metadata.version = "999999999999999999999";
  await Deno.writeTextFile(first.metadataPath, JSON.stringify(metadata));
  const next = await save(trainedModelFixture(), { outputDir: dir });
  assert.equal(next.version, "2");
  assert.deepEqual((await list({ outputDir: dir })).map((e) => e.metadata.version), ["2"]);
  await Deno.remove(dir, { recursive: true });
});
