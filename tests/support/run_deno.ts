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

/** How {@linkcode runDeno} runs Deno. */
export interface RunDenoOptions {
  /** Working directory (default the repository). */
  cwd?: string;
  /**
   * Leave NO_COLOR unset, as in a shell that does not set it, so that colour codes written
   * off a terminal would show (default false: NO_COLOR=1).
   */
  color?: boolean;
}

/**
 * Runs `deno <args>` with stdout and stderr piped (not a terminal) and only HOME, PATH and
 * (unless `color`) NO_COLOR set.
 */
export async function runDeno(args: string[], options: RunDenoOptions = {}): Promise<DenoRun> {
  const { cwd = ROOT, color = false } = options;
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: {
      ...(color ? {} : { NO_COLOR: "1" }),
      HOME: Deno.env.get("HOME") ?? "/",
      PATH: Deno.env.get("PATH") ?? "",
    },
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
