/** The vendored LightGBM WebAssembly: checksums, build record and licences. */
import assert from "node:assert/strict";

const wasmDir = new URL("../wasm/", import.meta.url);

async function sha256(path: URL): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("wasm/ artifacts match wasm/SHA256SUMS and BUILD.md", async () => {
  const sums = (await Deno.readTextFile(new URL("SHA256SUMS", wasmDir))).trim().split("\n");
  assert.ok(sums.some((line) => line.endsWith("  lightgbm.mjs")), "lightgbm.mjs is listed");
  const buildMd = await Deno.readTextFile(new URL("BUILD.md", wasmDir));
  for (const line of sums) {
    const [expected, name] = line.split(/\s+/);
    assert.equal(await sha256(new URL(name, wasmDir)), expected, `checksum of wasm/${name}`);
    assert.ok(buildMd.includes(expected), `BUILD.md records the checksum of ${name}`);
  }
});

Deno.test("wasm/build.sh pins the sdist checksum that BUILD.md records", async () => {
  const script = await Deno.readTextFile(new URL("build.sh", wasmDir));
  const pinned = /SDIST_SHA256="([0-9a-f]{64})"/.exec(script)?.[1];
  assert.ok(pinned, "build.sh pins SDIST_SHA256");
  assert.ok((await Deno.readTextFile(new URL("BUILD.md", wasmDir))).includes(pinned));
});

Deno.test("wasm/ ships LightGBM's licence and its dependencies' licences", async () => {
  for (
    const name of ["LICENSE", "LICENSE.fmt", "LICENSE.fast_double_parser", "LICENSE.eigen-MPL2"]
  ) {
    const text = await Deno.readTextFile(new URL(`licenses/${name}`, wasmDir));
    assert.ok(text.length > 500, `licenses/${name} is the full text`);
  }
});
