/**
 * Successive halving: every configuration gets a small boosting budget, the best third
 * goes on with three times the budget, and so on until the last rung trains the full
 * number of rounds.
 *
 * @module
 */

/** The outcome of evaluating one configuration at one budget (higher score is better). */
export interface RungResult {
  /** Cross-validated score; higher is better. */
  score: number;
  /** True when early stopping ended every fold before the budget: more rounds change nothing. */
  converged: boolean;
}

/** One evaluation in the search's history. */
export interface HalvingRecord<R extends RungResult> {
  /** Rung number, from 0. */
  rung: number;
  /** Boosting budget of the rung. */
  rounds: number;
  /** Index of the configuration. */
  config: number;
  /** Its result. */
  result: R;
}

/** The schedule: boosting budget and number of configurations of each rung. */
export function halvingSchedule(
  numConfigs: number,
  maxRounds: number,
  eta = 3,
  minRounds = 10,
): { rounds: number; keep: number }[] {
  if (!Number.isInteger(numConfigs) || numConfigs < 1) {
    throw new RangeError(`Configurations must be a positive integer: ${numConfigs}`);
  }
  let rungs = 0;
  while (
    numConfigs / eta ** (rungs + 1) >= 1 && maxRounds / eta ** (rungs + 1) >= minRounds
  ) rungs++;
  const schedule = [];
  let keep = numConfigs;
  for (let r = 0; r <= rungs; r++) {
    schedule.push({ rounds: Math.ceil(maxRounds / eta ** (rungs - r)), keep });
    keep = Math.ceil(keep / eta);
  }
  return schedule;
}

/**
 * Runs successive halving over `numConfigs` configurations. `evaluate` scores a batch of
 * configurations at a budget (it may run them in parallel); a configuration that converged
 * at a lower budget keeps its result without being trained again. Ties keep the lower
 * index. Returns the winner, its last result and the full history.
 *
 * @example
 * ```ts
 * import { successiveHalving } from "./successive_halving.ts";
 * const { best } = await successiveHalving(9, 90, (configs, rounds) =>
 *   Promise.resolve(configs.map((c) => ({ score: -Math.abs(c - 4) + rounds / 1000, converged: false }))));
 * console.assert(best === 4);
 * ```
 */
export async function successiveHalving<R extends RungResult>(
  numConfigs: number,
  maxRounds: number,
  evaluate: (configs: number[], rounds: number, rung: number) => Promise<R[]>,
  eta = 3,
): Promise<{ best: number; result: R; history: HalvingRecord<R>[] }> {
  const schedule = halvingSchedule(numConfigs, maxRounds, eta);
  const history: HalvingRecord<R>[] = [];
  const latest = new Map<number, R>();
  let alive = Array.from({ length: numConfigs }, (_, i) => i);
  for (let rung = 0; rung < schedule.length; rung++) {
    const { rounds, keep } = schedule[rung];
    alive = alive.slice(0, keep);
    const pending = alive.filter((c) => !latest.get(c)?.converged);
    const results = await evaluate(pending, rounds, rung);
    pending.forEach((c, i) => latest.set(c, results[i]));
    for (const c of alive) history.push({ rung, rounds, config: c, result: latest.get(c)! });
    alive.sort((a, b) => latest.get(b)!.score - latest.get(a)!.score || a - b);
  }
  return { best: alive[0], result: latest.get(alive[0])!, history };
}
