/**
 * The synthetic network a bench measures on, generated once into the bench's own folder
 * (bench/.out/<bench>/) and kept while the scale is unchanged: a marker file named for the
 * scale (`ready_<days>x<alertsPerDay>`) is written last, after the bench's own preparation,
 * so a run that stopped half-way generates again.
 *
 * @module
 */
import { join } from "node:path";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { generate, type GenerateResult } from "../src/generate/generate.ts";

/** The network the benches generate: its name, the generator's seed and the first date. */
export const BENCH_NETWORK = { network: "bench", seed: 42, startDate: "2024-01-01" } as const;

/** Where and at which scale {@linkcode generatedNetwork} generates. */
export interface GeneratedNetworkOptions {
  /** The embedded engine's data directory (inside the bench's folder). */
  dataDir: string;
  /** Processing dates. */
  days: number;
  /** Alerts per processing date. */
  alertsPerDay: number;
}

/**
 * Generates {@linkcode BENCH_NETWORK} into `out` (emptied first) unless this scale's marker
 * exists there, then runs
 * `prepare` (with the engine closed: it opens its own when it needs one) and keeps what it
 * returns in the marker; later runs get the kept `generated` and prepared fields back.
 *
 * @example
 * ```ts ignore
 * const { model } = await generatedNetwork(OUT, { dataDir, days: 30, alertsPerDay: 3334 }, async () => ({
 *   model: await trainOne(),
 * }));
 * ```
 */
export async function generatedNetwork<T extends Record<string, unknown>>(
  out: string,
  options: GeneratedNetworkOptions,
  prepare: (generated: GenerateResult) => Promise<T> = () => Promise.resolve({} as T),
): Promise<{ generated: GenerateResult } & T> {
  const { dataDir, days, alertsPerDay } = options;
  const ready = join(out, `ready_${days}x${alertsPerDay}`);
  const kept = await Deno.readTextFile(ready).then((text) => JSON.parse(text), () => null);
  if (kept !== null) return kept;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  await Deno.mkdir(out, { recursive: true });
  let generated: GenerateResult;
  {
    await using ch = await openClickHouse({ dataDir });
    generated = await generate(ch, { ...BENCH_NETWORK, days, alertsPerDay });
  }
  console.log(`Generated ${generated.rows.raw_alerts} alerts in ${generated.seconds.toFixed(1)} s`);
  const result = { generated, ...await prepare(generated) };
  await Deno.writeTextFile(ready, JSON.stringify(result));
  return result;
}
