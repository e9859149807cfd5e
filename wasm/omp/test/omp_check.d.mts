/** Types of the OpenMP runtime check module built by `wasm/omp/build.sh test`. */

/** The instantiated check module. */
export interface OmpCheckModule {
  /** Runs every check with a team of `threads`; returns the number of failures. */
  _omp_check(threads: number): number;
  /** Team size a parallel region gets by default. */
  _omp_default_team(): number;
  /** Mean cost in microseconds of an empty parallel region. */
  _omp_region_cost_us(threads: number, regions: number): number;
  /** Terminates the pthread workers (idle workers keep a Deno process alive). */
  terminateAllThreads(): void;
}

/** Instantiates the module and its prewarmed pool of 3 pthread workers. */
export default function createOmpCheck(options?: Record<string, unknown>): Promise<OmpCheckModule>;
