/**
 * A full disk while saving: the run fails with one line and leaves nothing partial, on a
 * small tmpfs mounted as the output directory. Mounting needs root (or CAP_SYS_ADMIN);
 * where the machine refuses it the test is skipped, saying so.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertNoPartialArtifact, embeddedNetwork, runCli, trainArgs } from "./fault_support.ts";

const PAGE = 4096;

async function command(name: string, args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(name, { args, stdout: "piped", stderr: "piped" }).output()
    .catch((error) => ({
      success: false,
      code: 127,
      signal: null,
      stdout: new Uint8Array(),
      stderr: new TextEncoder().encode(String(error)),
    }));
}

/** Mounts a tmpfs of `bytes` at `dir`; the reason when the machine does not allow it. */
async function mountTmpfs(dir: string, bytes: number): Promise<string | null> {
  const output = await command("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
  return output.success ? null : new TextDecoder().decode(output.stderr).trim() || "mount failed";
}

async function canMount(): Promise<string | null> {
  const dir = await Deno.makeTempDir();
  try {
    const refused = await mountTmpfs(dir, 64 * 1024);
    if (refused === null) await command("umount", [dir]);
    return refused;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const refused = Deno.build.os === "linux" ? await canMount() : "not Linux";
if (refused !== null) {
  console.log(`full_disk_test: skipped, cannot mount a tmpfs here (${refused})`);
}

Deno.test({
  name: "a full disk fails the save with one line and leaves nothing partial",
  ignore: refused !== null,
  fn: async (t) => {
    await using net = await embeddedNetwork();
    // The sizes of this run's files, from a run on the ordinary disk.
    const reference = await runCli(
      trainArgs("alert_scorer", join(net.dir, "reference"), net.engine),
      { dir: net.dir },
    );
    assert.equal(reference.code, 0, reference.stderr);
    const files = [...Deno.readDirSync(join(net.dir, "reference"))].filter((e) =>
      /\.(txt|json)$/.test(e.name)
    );
    const size = (ext: string) =>
      Deno.statSync(join(net.dir, "reference", files.find((e) => e.name.endsWith(ext))!.name))
        .size;
    const txtPages = Math.ceil(size(".txt") / PAGE);

    for (
      const [name, bytes] of [
        ["the model file does not fit", PAGE * Math.max(1, txtPages - 8)],
        ["the model fits, its metadata does not", PAGE * (txtPages + 1)],
      ] as const
    ) {
      await t.step(name, async () => {
        const outputDir = await Deno.makeTempDir({ dir: net.dir });
        const reason = await mountTmpfs(outputDir, bytes);
        assert.equal(reason, null);
        try {
          const result = await runCli(trainArgs("alert_scorer", outputDir, net.engine), {
            dir: net.dir,
          });
          assert.equal(result.code, 1, result.stderr);
          const errors = result.stderr.split("\n").filter((line) => line.startsWith("error"));
          assert.equal(errors.length, 1, result.stderr);
          assert.match(errors[0], /No space left on device|os error 28/);
          assert.equal((await assertNoPartialArtifact(outputDir)).intact.length, 0);
          const left = [...Deno.readDirSync(outputDir)].map((e) => e.name)
            .filter((n) => n.endsWith(".txt") || n.endsWith(".json") || n.endsWith(".tmp"));
          assert.deepEqual(left, []);
        } finally {
          await command("umount", [outputDir]);
        }
      });
    }
  },
});
