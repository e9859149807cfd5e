/**
 * Runs commands in a real terminal, as a person sees them: a tmux pane of a given size
 * (the screen and its scrollback, as tmux renders them) with `script` recording the raw
 * bytes the program wrote (to see frames that were drawn and then redrawn in place).
 *
 * @module
 */
import { ROOT } from "./run_deno.ts";

/** What a terminal session showed. */
export interface TerminalRun {
  /** Exit code of the command (from `script -e`). */
  code: number;
  /** Every line the pane holds, scrollback included, wrapped lines joined. */
  screen: string[];
  /** The raw bytes the command wrote, decoded. */
  raw: string;
}

async function tmux(socket: string, args: string[], env: Record<string, string>): Promise<string> {
  const output = await new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

let sessions = 0;

/**
 * Runs `args` (a command and its arguments, run from the repository's root) in a tmux pane
 * of `columns` x `rows`, waits for it to end (at most `timeoutMs`), and returns what the
 * terminal showed. The environment is only PATH, HOME and TERM, plus `env`.
 */
export async function runInTerminal(
  args: readonly string[],
  options: { columns?: number; rows?: number; timeoutMs?: number; env?: Record<string, string> } =
    {},
): Promise<TerminalRun> {
  const { columns = 160, rows = 50, timeoutMs = 180_000 } = options;
  const socket = `risktrain-test-${Deno.pid}-${sessions++}`;
  const dir = await Deno.makeTempDir({ prefix: "risktrain-tty-" });
  const raw = `${dir}/raw`;
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
    TERM: "xterm-256color",
    ...options.env,
  };
  const marker = "__risktrain_exit=";
  const command = `script -q -e -c ${quote(args.map(quote).join(" "))} ${quote(raw)}; ` +
    `echo ${marker}$?; sleep 600`;
  try {
    await tmux(socket, [
      "new-session",
      "-d",
      "-x",
      String(columns),
      "-y",
      String(rows),
      "-c",
      ROOT,
      command,
    ], env);
    await tmux(socket, ["set-option", "-g", "history-limit", "10000"], env);
    const deadline = Date.now() + timeoutMs;
    let code: number | undefined;
    while (code === undefined) {
      if (Date.now() > deadline) throw new Error(`Timed out: ${args.join(" ")}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const screen = await tmux(socket, ["capture-pane", "-p", "-J", "-S", "-"], env);
      const match = screen.match(new RegExp(`${marker}(\\d+)`));
      if (match) code = Number(match[1]);
    }
    const screen = (await tmux(socket, ["capture-pane", "-p", "-J", "-S", "-"], env))
      .split("\n")
      .map((line) => line.trimEnd())
      .filter((line) => line !== "" && !line.startsWith(marker));
    return { code, screen, raw: await Deno.readTextFile(raw) };
  } finally {
    await tmux(socket, ["kill-server"], env).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The lines the raw output drew, each frame of an in-place redraw separately: the text
 * between cursor movements, line clears and line ends, without colour codes.
 */
export function drawnFrames(raw: string): string[] {
  return raw
    // deno-lint-ignore no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, "")
    // deno-lint-ignore no-control-regex
    .split(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r|\n/)
    .map((frame) => frame.trimEnd())
    .filter((frame) => frame !== "");
}
