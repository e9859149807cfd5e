/**
 * Runs Deno in the repository the way a user's shell would, with a bare environment (no
 * CLICKHOUSE_* or RISKTRAIN_* from the caller), and collects its exit code and output.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** Exit code and decoded output of one run. */
export interface DenoRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `deno <args>` in `cwd` (default the repository) with only NO_COLOR, HOME and PATH set. */
export async function runDeno(args: string[], cwd: string = ROOT): Promise<DenoRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", HOME: Deno.env.get("HOME") ?? "/", PATH: Deno.env.get("PATH") ?? "" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
