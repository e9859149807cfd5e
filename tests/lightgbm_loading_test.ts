/**
 * The embedded WebAssembly loads with no permission at all from the checkout (the pool's
 * workers need read permission there), and from an http URL import with only import
 * permission for the server, workers included.
 */
import assert from "node:assert/strict";
import { serveRepo } from "./support/serve_repo.ts";

const repoRoot = new URL("../", import.meta.url);

function script(modUrl: string, pool: boolean): string {
  return `
    import { Dataset, initLightGBM, shareSource, train, TrainingPool } from ${
    JSON.stringify(modUrl)
  };
    const data = Float64Array.from({ length: 400 }, (_, i) => (i * 7919) % 400);
    const source = shareSource({ numRows: 400, numFeatures: 1, data,
      label: Float32Array.from(data, (v) => (v > 200 ? 1 : 0)), weight: null, group: null,
      featureNames: ["x"], categorical: [] });
    const params = { objective: "binary", verbosity: -1 };
    await initLightGBM();
    using dataset = Dataset.fromMatrix(source, { params });
    using booster = await train(params, dataset, { numBoostRound: 3 });
    if (${pool}) {
      await using pool = new TrainingPool({ size: 1 });
      const result = await pool.run({ params, numBoostRound: 3, source });
      console.log(booster.saveModelToString() === result.modelText ? "same" : "different");
    } else {
      console.log(booster.currentIteration === 3 ? "trained" : "not trained");
    }
  `;
}

async function runChild(permissions: string[], code: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, "-"],
    cwd: new URL(".", repoRoot).pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(code));
  await writer.close();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("LightGBM loads from the checkout with no permission, its workers with read", async () => {
  const modUrl = new URL("src/lightgbm/mod.ts", repoRoot).href;
  assert.equal(await runChild([], script(modUrl, false)), "trained");
  // Deno checks read permission for a worker's file: modules.
  const root = new URL(".", repoRoot).pathname;
  assert.equal(await runChild([`--allow-read=${root}`], script(modUrl, true)), "same");
});

Deno.test("LightGBM loads and trains from an http URL import, workers included", async () => {
  await using server = serveRepo(new URL(".", repoRoot).pathname);
  const host = new URL(server.url).host;
  assert.equal(
    await runChild([`--allow-import=${host}`], script(`${server.url}src/lightgbm/mod.ts`, true)),
    "same",
  );
});
