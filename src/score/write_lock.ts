/**
 * Serialises the score writes of one database on this host: a write rebuilds whole month
 * partitions from a copy of their rows, so two at once would each switch in a copy without
 * the other's rows.
 *
 * @module
 */
import { join } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { RiskTrainError } from "../errors.ts";
import { acquireLock } from "../file_lock.ts";

const logger = getLogger(["risktrain", "score"]);

/** Where score writes keep their lock files unless told otherwise. */
export const DEFAULT_SCORE_LOCK_DIR = ".risktrain/locks";

/** Options of {@linkcode lockScoreWrites}. */
export interface ScoreLockOptions {
  /** Directory of the lock files (default `.risktrain/locks`). */
  lockDir?: string;
  /** Cancels the wait (CancelledError). */
  signal?: AbortSignal;
}

/**
 * Takes the score-write lock of database `db`, waiting (with a log line naming the holder)
 * while another process or task of this host holds it. Release it by disposing; the
 * operating system releases it if the process dies.
 *
 * @example
 * ```ts ignore
 * await using _lock = await lockScoreWrites("risk_scoring_demo");
 * ```
 */
export async function lockScoreWrites(
  db: string,
  options: ScoreLockOptions = {},
): Promise<AsyncDisposable> {
  const dir = options.lockDir ?? DEFAULT_SCORE_LOCK_DIR;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new RiskTrainError("STORAGE", `Cannot create the lock directory: ${dir}`, {
      cause: error,
    });
  }
  return await acquireLock(join(dir, `score_${db}.lock`), {
    signal: options.signal,
    onWait: (holder) =>
      logger.info("Waiting for {holder}, which writes scores to {database}", {
        holder,
        database: db,
      }),
  });
}
