/**
 * Which queued job a free TrainingPool worker takes: Datasets are expensive to build and
 * each worker caches its own, so jobs go where their Datasets already are.
 *
 * @module
 */

/**
 * Index of the job to run among `queued` (their `datasetKey`s, in submission order): the
 * first whose Datasets the worker holds, else the first no other worker holds or is
 * building (`elsewhere`), else the first.
 */
export function pickJob(
  queued: readonly (string | undefined)[],
  held: ReadonlySet<string>,
  elsewhere: ReadonlySet<string>,
): number {
  const mine = queued.findIndex((key) => key !== undefined && held.has(key));
  if (mine >= 0) return mine;
  const unclaimed = queued.findIndex((key) => key === undefined || !elsewhere.has(key));
  return Math.max(0, unclaimed);
}
