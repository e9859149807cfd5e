/**
 * A one-line progress display for long work, shown only on a terminal.
 *
 * @module
 */

/** A progress line: `update` rewrites it, `done` ends it. */
export interface ProgressLine {
  /** Replaces the line's text (throttled to 10 updates a second). */
  update(text: string): void;
  /** Clears the line. */
  done(): void;
}

/**
 * Returns a progress line on stderr when stderr is a terminal, otherwise a silent one.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * const line = progressLine();
 * line.update("Training: iteration 10");
 * line.done();
 * ```
 */
export function progressLine(): ProgressLine {
  if (!Deno.stderr.isTerminal()) return { update() {}, done() {} };
  const encoder = new TextEncoder();
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const width = Deno.consoleSize().columns - 1;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text.slice(0, width)}`));
    },
    done() {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      shown = false;
    },
  };
}
