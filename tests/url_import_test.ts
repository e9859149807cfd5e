import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { serveRepo } from "./support/serve_repo.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("a script imports mod.ts by URL and trains a model (no bare specifiers, wasm from a URL)", async () => {
  await using server = serveRepo(ROOT);
  const host = new URL(server.url).host;
  const dir = await Deno.makeTempDir({ prefix: "risktrain-url-import-" });
  const script = `${dir}/notebook.ts`;
  try {
    await Deno.writeTextFile(
      script,
      `
import { Booster, initLightGBM, rocAuc, train } from "${server.url}mod.ts";
import { syntheticMatrix } from "${server.url}tests/support/synthetic_matrix.ts";

const matrix = syntheticMatrix({ days: 20, rowsPerDay: 80, seed: 3 });
const model = await train(matrix, { trials: 0, folds: 2, seed: 3, workers: 1 });
await initLightGBM();
using booster = Booster.fromModelString(model.modelText);
console.log(JSON.stringify({
  trees: model.numTrees,
  auc: model.metrics.test_auc,
  header: model.modelText.split("\\n")[0],
  features: booster.numFeatures,
  rocAucWorks: rocAuc(new Float32Array([0, 1]), new Float64Array([0.2, 0.9])),
}));
`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      // Only the server's host (imports, workers): no read or write permission, no FFI.
      args: [
        "run",
        "--node-modules-dir=manual",
        `--allow-import=${host}`,
        `--allow-net=${host}`,
        script,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
    assert.equal(result.header, "tree");
    assert.ok(result.trees > 0);
    assert.equal(result.features, 6);
    assert.ok(result.auc > 0.6 && result.auc <= 1, `test AUC ${result.auc}`);
    assert.equal(result.rocAucWorks, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
