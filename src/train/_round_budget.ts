/**
 * Boosting rounds done against a stage's budget, for progress reports: a job advances the
 * count as it trains and, when it stops early, is credited the rounds it did not need, so
 * that the count reaches the budget exactly when the stage ends.
 *
 * @module
 */

/** One job's share of a {@linkcode RoundBudget}. */
export interface BudgetedJob {
  /** The job reached `iteration` (from 1). */
  advance(iteration: number): void;
  /** The job ended: the rest of its budget counts as done. */
  finish(): void;
}

/** Rounds done and the total budget of one stage. */
export class RoundBudget {
  #done = 0;

  /** @param total The stage's budget in boosting rounds. */
  constructor(readonly total: number) {}

  /** Rounds done (or no longer needed) so far. */
  get done(): number {
    return this.#done;
  }

  /** Tracks one job allowed `rounds` boosting rounds. */
  job(rounds: number): BudgetedJob {
    let reached = 0;
    const reach = (iteration: number) => {
      const next = Math.min(iteration, rounds);
      if (next > reached) {
        this.#done += next - reached;
        reached = next;
      }
    };
    return { advance: reach, finish: () => reach(rounds) };
  }

  /** Counts `rounds` that no job will run (e.g. a converged configuration's later rung). */
  skip(rounds: number): void {
    this.#done = Math.min(this.total, this.#done + rounds);
  }
}
