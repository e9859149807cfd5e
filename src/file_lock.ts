/**
 * Advisory file locks that die with their process: a waiter polls, so that a signal or a
 * timeout ends the wait, and learns from the lock file who holds it.
 *
 * @module
 */
import { CancelledError, RiskTrainError, throwIfAborted } from "./errors.ts";

function storageError(what: string, path: string, error: unknown): RiskTrainError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RiskTrainError("STORAGE", `Cannot ${what}: ${path} (${reason})`, { cause: error });
}

/** Options of {@linkcode acquireLock}. */
export interface LockOptions {
  /** Cancels the wait (CancelledError). */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds of waiting (STORAGE, naming the holder). */
  timeoutMs?: number;
  /** Called once, when the lock is held by someone else, with the holder's description. */
  onWait?: (holder: string) => void;
}

/** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Who holds a lock, as its holder wrote it into the file ("an unknown process" if not yet). */
async function lockHolder(path: string): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trim() || "an unknown process";
}

/**
 * Takes an exclusive advisory lock on `path` (created when missing), waiting while another
 * process or task holds it. The operating system releases it if the process dies. While it
 * waits, it polls, so that `signal` cancels the wait (CancelledError) and `timeoutMs` ends
 * it (STORAGE, naming the holder); `onWait` is called once with the holder's description
 * (written into the lock file by whoever holds it).
 */
export async function acquireLock(
  path: string,
  options: LockOptions = {},
): Promise<AsyncDisposable & { path: string }> {
  const { signal, timeoutMs, onWait } = options;
  throwIfAborted(signal);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (error) {
    throw storageError("lock", path, error);
  }
  try {
    const started = Date.now();
    let delay = 25;
    let announced = false;
    while (!await file.tryLock(true)) {
      if (!announced) {
        announced = true;
        onWait?.(await lockHolder(path));
      }
      throwIfAborted(signal);
      if (timeoutMs !== undefined && Date.now() - started >= timeoutMs) {
        throw new RiskTrainError(
          "STORAGE",
          `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path} ` +
            `(held by ${await lockHolder(path)})`,
        );
      }
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 250);
    }
    const holder = new TextEncoder().encode(
      `process ${Deno.pid} since ${new Date().toISOString()}\n`,
    );
    await file.truncate(0);
    await file.write(holder);
  } catch (error) {
    file.close();
    if (error instanceof RiskTrainError) throw error;
    throw storageError("lock", path, error);
  }
  const held = file;
  return {
    path,
    async [Symbol.asyncDispose]() {
      try {
        await held.truncate(0);
        await held.unlock();
      } finally {
        held.close();
      }
    },
  };
}

/**
 * {@linkcode acquireLock} on the file `name` in `dir`, creating `dir` first (STORAGE,
 * naming it as `what`, when it cannot be created).
 */
export async function acquireLockIn(
  dir: string,
  name: string,
  what: string,
  options: LockOptions = {},
): Promise<AsyncDisposable & { path: string }> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new RiskTrainError("STORAGE", `Cannot create the ${what}: ${dir}`, { cause: error });
  }
  return await acquireLock(`${dir}/${name}`, options);
}
