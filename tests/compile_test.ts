import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// `deno compile` downloads its runtime (denort) from dl.deno.land, which the build machines
// cannot reach (and must not try). The test runs where DENORT_BIN names a denort 2.9.6
// binary, or where RISKTRAIN_COMPILE_DOWNLOAD=1 says the download works.
const DENORT_BIN = Deno.env.get("DENORT_BIN");
const CAN_COMPILE = DENORT_BIN !== undefined || Deno.env.get("RISKTRAIN_COMPILE_DOWNLOAD") === "1";
if (!CAN_COMPILE) {
  console.log(
    "compile_test: skipped: deno compile needs denort, downloaded from dl.deno.land " +
      "(unreachable here); set DENORT_BIN to a denort 2.9.6 binary to run it",
  );
}

Deno.test({
  name: "deno task compile builds a binary that keeps the train permissions",
  ignore: !CAN_COMPILE,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "risktrain-compile-" });
    const binary = `${dir}/risktrain`;
    try {
      // The compile task's own command, with the binary written to the temporary directory.
      const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
      const args: string[] = config.tasks.compile.split(/\s+/).slice(1);
      args[args.indexOf("--output") + 1] = binary;
      const compiled = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(compiled.code, 0, new TextDecoder().decode(compiled.stderr));

      const help = await new Deno.Command(binary, { args: ["--help"], stdout: "piped" }).output();
      assert.equal(help.code, 0);
      assert.match(new TextDecoder().decode(help.stdout), /^Usage: risktrain COMMAND/m);

      // The baked-in permission set allows only 127.0.0.1:8123 and localhost:8123.
      const denied = await new Deno.Command(binary, {
        args: ["migrate", "--network", "torus", "--clickhouse-url", "http://127.0.0.1:9"],
        cwd: ROOT,
        stderr: "piped",
      }).output();
      assert.equal(denied.code, 1);
      assert.match(
        new TextDecoder().decode(denied.stderr),
        /Missing permission: run with --allow-net=127\.0\.0\.1:9/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
