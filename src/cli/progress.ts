/**
 * Progress bars on the terminal (cli-progress), one per running stage, with done/total,
 * percentage, elapsed time and ETA, redrawn in place; log lines are written above them,
 * with the bars cleared first. Off the terminal there are no bars and logs go as they are.
 *
 * @module
 */
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "npm:cli-progress@3.12.0";

/** What one bar shows. */
export interface BarState {
  /** What the stage does, e.g. `Searching (rung 0)`. */
  label: string;
  /** Units done so far. */
  done: number;
  /** Units in all. */
  total: number;
  /** The unit counted, plural: `rows`, `rounds`, `steps`. */
  unit: string;
}

/** The terminal's progress bars. */
export interface ProgressDisplay {
  /** Shows the bar of stage `key` (a new one below the others) or moves it on. */
  update(key: string, state: BarState): void;
  /** Ends the bar of stage `key`: drawn once more, complete, then removed. */
  end(key: string): void;
  /** Writes `text` (whole lines) above the bars. */
  log(text: string): void;
  /** Removes every bar. */
  done(): void;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

const count = new Intl.NumberFormat("en-US");

/**
 * One bar's line: `Searching (rung 0)    [████░░░░]  45% 4,500/10,000 rounds  0:12 elapsed  ETA 0:15`.
 * The ETA is the remaining share at the stage's average rate so far.
 *
 * @example
 * ```ts
 * import { barLine } from "./progress.ts";
 * const line = barLine({ label: "Final fit", done: 50, total: 200, unit: "rounds" }, 10, 4);
 * console.assert(line === "Final fit              [█░░░]  25% 50/200 rounds  0:10 elapsed  ETA 0:30");
 * ```
 */
export function barLine(state: BarState, elapsedSeconds: number, width = 30): string {
  const share = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const full = Math.round(share * width);
  const bar = "█".repeat(full) + "░".repeat(width - full);
  const eta = state.done > 0 && elapsedSeconds >= 1
    ? clock(elapsedSeconds * (state.total - state.done) / state.done)
    : "--:--";
  return `${state.label.padEnd(22)} [${bar}] ${String(Math.floor(share * 100)).padStart(3)}% ` +
    `${count.format(state.done)}/${count.format(state.total)} ${state.unit}  ` +
    `${clock(elapsedSeconds)} elapsed  ETA ${share >= 1 ? clock(0) : eta}`;
}

/** A display that shows nothing and passes logs through. */
function plainDisplay(write: (text: string) => void): ProgressDisplay {
  return { update() {}, end() {}, log: write, done() {} };
}

/**
 * Returns the progress bars of stderr when it is a terminal, otherwise a display without
 * bars. Log lines must go through {@linkcode ProgressDisplay.log} while bars are shown.
 *
 * @example
 * ```ts
 * import { progressDisplay } from "./progress.ts";
 * const display = progressDisplay();
 * display.update("search", { label: "Searching", done: 10, total: 100, unit: "rounds" });
 * display.end("search");
 * display.done();
 * ```
 */
export function progressDisplay(): ProgressDisplay {
  const encoder = new TextEncoder();
  const write = (text: string) => {
    Deno.stderr.writeSync(encoder.encode(text));
  };
  if (!Deno.stderr.isTerminal()) return plainDisplay(write);
  const stream = {
    isTTY: true,
    get columns() {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 80; // a terminal that does not say its size
      }
    },
    write(text: string) {
      write(text);
      return true;
    },
    on() {},
  };
  type Bar = { bar: cliProgress.SingleBar; state: BarState; started: number };
  const bars = new Map<string, Bar>();
  let multi: cliProgress.MultiBar | null = null;
  let pendingLog = false;
  const open = () => {
    const created = new cliProgress.MultiBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: (_options, _params, payload: { key: string }) => {
        const entry = bars.get(payload.key);
        if (!entry) return "";
        const width = Math.max(10, Math.min(40, stream.columns - 95));
        return barLine(entry.state, (performance.now() - entry.started) / 1000, width);
      },
      fps: 10,
      clearOnComplete: true,
      // Every redraw writes every bar: after a log line, an unchanged bar is drawn again.
      forceRedraw: true,
      hideCursor: false,
      gracefulExit: false,
      linewrap: false,
    });
    // A log line replaces the bars: clear them all before it is written (cli-progress
    // clears only the first line, which would leave the rest of a longer bar after it).
    created.on("redraw-pre", () => {
      if (!pendingLog) return;
      pendingLog = false;
      (created as unknown as { terminal: { clearBottom(): void } }).terminal.clearBottom();
    });
    return created;
  };
  return {
    update(key, state) {
      const entry = bars.get(key);
      if (entry) {
        entry.state = state;
        entry.bar.update(state.done);
        return;
      }
      multi ??= open();
      const bar = multi.create(state.total, state.done, { key });
      bars.set(key, { bar, state, started: performance.now() });
      multi.update();
    },
    end(key) {
      const entry = bars.get(key);
      if (!entry || !multi) return;
      entry.state = { ...entry.state, done: entry.state.total };
      multi.update();
      bars.delete(key);
      if (bars.size === 0) {
        multi.stop();
        multi = null;
      } else {
        multi.remove(entry.bar);
      }
    },
    log(text) {
      if (!multi) return write(text);
      pendingLog = true;
      multi.log(text.endsWith("\n") ? text : `${text}\n`);
      multi.update();
    },
    done() {
      bars.clear();
      multi?.stop();
      multi = null;
    },
  };
}
