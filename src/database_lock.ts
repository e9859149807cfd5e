/**
 * Serialises the writers of one database that share a lock directory (score writes,
 * snapshot imports; by default `.risktrain/locks` of the working directory): each replaces
 * rows by statements ClickHouse does not run as one transaction (a score write rebuilds
 * month partitions from a copy of their rows, an import deletes a batch's rows and inserts
 * the new ones), so two at once could lose or double each other's rows. A lock file only
 * reaches processes that see the same directory: writers elsewhere are not serialised.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { acquireLockIn } from "./file_lock.ts";

const logger = getLogger(["risktrain", "lock"]);

/** Where database writers keep their lock files unless told otherwise. */
export const DEFAULT_LOCK_DIR = ".risktrain/locks";

/** Options of {@linkcode lockDatabaseWrites}. */
export interface DatabaseLockOptions {
  /** Directory of the lock files (default `.risktrain/locks`). */
  lockDir?: string;
  /** Cancels the wait (CancelledError). */
  signal?: AbortSignal;
}

/**
 * Takes the write lock of database `db`, waiting (with a log line naming the holder) while
 * another process or task holds it in the same lock directory. Release it by disposing; the
 * operating system releases it if the process dies. One task must not take it twice: the
 * second take waits for the first.
 *
 * @example
 * ```ts ignore
 * await using _lock = await lockDatabaseWrites("risk_scoring_demo");
 * ```
 */
export async function lockDatabaseWrites(
  db: string,
  options: DatabaseLockOptions = {},
): Promise<AsyncDisposable> {
  const dir = options.lockDir ?? DEFAULT_LOCK_DIR;
  return await acquireLockIn(dir, `${db}.lock`, "lock directory", {
    signal: options.signal,
    onWait: (holder) =>
      logger.info("Waiting for {holder}, which writes to {database}", { holder, database: db }),
  });
}
