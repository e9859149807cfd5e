/**
 * Serialises the writers of one database on this host (score writes, snapshot imports):
 * each replaces rows by statements ClickHouse does not run as one transaction (a score write
 * rebuilds month partitions from a copy of their rows, an import deletes a batch's rows and
 * inserts the new ones), so two at once could lose or double each other's rows.
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
 * another process or task of this host holds it. Release it by disposing; the operating
 * system releases it if the process dies.
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
