/**
 * Serialises identical training runs: the run holding the claim for a configuration trains
 * and saves, an identical run waits for it and then finds the model already there.
 *
 * @module
 */
import { join } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { acquireLockIn } from "../file_lock.ts";
import { DEFAULT_OUTPUT_DIR } from "./registry.ts";

const logger = getLogger(["risktrain", "storage"]);

/** The hidden directory of claim files inside an output directory. */
export const CLAIMS_DIR = ".claims";

/**
 * Claims the training configuration `configHash` (see `trainingKey`) in `outputDir`,
 * waiting (with a log line naming the holder; `signal` cancels the wait) while another run
 * holds it. Release it by disposing (`await using`); the
 * operating system releases it if the process dies, so a killed run never blocks others.
 *
 * @example
 * ```ts ignore
 * await using _claim = await claimTraining(key, { outputDir });
 * if (!force && await findExisting(key, { outputDir })) return; // the other run made it
 * ```
 */
export async function claimTraining(
  configHash: string,
  options: { outputDir?: string; signal?: AbortSignal } = {},
): Promise<AsyncDisposable & { path: string }> {
  if (!/^[0-9a-f]{64}$/.test(configHash)) {
    throw new RangeError(`Expected a SHA-256 hex configuration hash: ${configHash}`);
  }
  const dir = join(options.outputDir ?? DEFAULT_OUTPUT_DIR, CLAIMS_DIR);
  return await acquireLockIn(dir, `${configHash}.lock`, "claims directory", {
    signal: options.signal,
    onWait: (holder) =>
      logger.info("Waiting for {holder}, which trains the same configuration", { holder }),
  });
}
