/**
 * The OpenMP runtime for emscripten pthreads (wasm/omp/) runs real clang -fopenmp
 * code (wasm/omp/test/omp_check.c, built by `wasm/omp/build.sh test`) in Deno.
 */
import assert from "node:assert/strict";
// @ts-types="../wasm/omp/test/omp_check.d.mts"
import createOmpCheck from "../wasm/omp/test/omp_check.mjs";
import { serveRepo } from "./support/serve_repo.ts";

const checkModule = new URL("../wasm/omp/test/omp_check.mjs", import.meta.url);

Deno.test("omp runtime splits static loops like libomp and runs every schedule, reduction and construct correctly on 1 to 4 threads", async () => {
  const m = await createOmpCheck();
  try {
    for (const threads of [1, 2, 3, 4]) {
      assert.equal(m._omp_check(threads), 0, `checks failed with ${threads} threads`);
    }
    // The pool holds 3 prewarmed workers: the default team is the caller plus all of them.
    assert.equal(m._omp_default_team(), 4);
  } finally {
    m.terminateAllThreads();
  }
});

/** Runs a script importing the check module from `moduleUrl` in a fresh Deno process. */
async function runInSubprocess(moduleUrl: string, flags: string[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/run.mjs`;
    await Deno.writeTextFile(
      script,
      `import createOmpCheck from ${JSON.stringify(moduleUrl)};
const m = await createOmpCheck();
const failures = m._omp_check(2);
m.terminateAllThreads();
console.log("failures=" + failures);
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", ...flags, script],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `exit ${out.code}: ${stderr}`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("omp runtime module needs no permission from a file or a URL import, and the process exits once threads are terminated", async (t) => {
  await t.step("file: import, no permission", async () => {
    assert.match(await runInSubprocess(checkModule.href, []), /^failures=0$/m);
  });
  await t.step("http: import, only --allow-import for the host", async () => {
    await using server = serveRepo(new URL("..", import.meta.url).pathname);
    const url = new URL("wasm/omp/test/omp_check.mjs", server.url);
    const stdout = await runInSubprocess(url.href, [`--allow-import=${url.host}`]);
    assert.match(stdout, /^failures=0$/m);
  });
});
