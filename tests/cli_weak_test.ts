import assert from "node:assert/strict";
import { type DenoRun, ROOT, runDeno } from "./support/run_deno.ts";

/** `deno run -P=train cli.ts demo ...` in the repository, with a clean environment. */
function demo(args: string[]): Promise<DenoRun> {
  return runDeno(["run", "-P=train", "cli.ts", "demo", ...args]);
}

const artifacts = (dir: string) => {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /\.(txt|json)$/.test(n));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
};

Deno.test("demo on 6 small days stops with NO_SIGNAL and saves nothing; --allow-weak saves it marked weak", async () => {
  const name = `weak-${crypto.randomUUID().slice(0, 8)}`;
  const dataDir = `.risktrain/${name}`, outputDir = `trained_models/${name}`;
  const small = ["--days", "6", "--alerts-per-day", "300", "--trials", "0", "--folds", "2"];
  const where = ["--data-dir", dataDir, "--output-dir", outputDir];
  try {
    const refused = await demo([...small, ...where]);
    assert.equal(refused.code, 1, refused.stderr);
    const errors = refused.stderr.split("\n").filter((line) => line.startsWith("error:"));
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(
      errors[0],
      /^error: NO_SIGNAL: the alert_scorer learned nothing usable: .*test AUC/,
    );
    assert.deepEqual(artifacts(`${ROOT}/${outputDir}`), []);

    const saved = await demo([...small, ...where, "--allow-weak"]);
    assert.equal(saved.code, 0, saved.stderr);
    const files = artifacts(`${ROOT}/${outputDir}`).filter((n) => n.endsWith(".json"));
    assert.equal(files.length, 3);
    let weak = 0;
    for (const file of files) {
      const metadata = JSON.parse(Deno.readTextFileSync(`${ROOT}/${outputDir}/${file}`));
      assert.equal(typeof metadata.weak, "boolean");
      if (metadata.weak) weak++;
    }
    assert.ok(weak >= 1, "the alert_scorer at least is weak");
  } finally {
    await Deno.remove(`${ROOT}/${dataDir}`, { recursive: true }).catch(() => {});
    await Deno.remove(`${ROOT}/${outputDir}`, { recursive: true }).catch(() => {});
  }
});
