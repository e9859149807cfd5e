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

/** Where and at which scale {@linkcode generatedNetwork} generates. */
export interface GeneratedNetworkOptions {
  /** The bench's folder: emptied, then filled, when the marker of this scale is missing. */
  out: string;
  /** The embedded engine's data directory (inside `out`). */
  dataDir: string;
  /** Network identifier. */
  network: string;
  /** Processing dates. */
  days: number;
  /** Alerts per processing date. */
  alertsPerDay: number;
  /** Seed of the generator. */
  seed: number;
  /** First processing date, `YYYY-MM-DD`. */
  startDate: string;
}

/**
 * Generates the network unless this scale's marker exists in `options.out`, then runs
 * `prepare` (with the engine closed: it opens its own when it needs one) and keeps what it
 * returns in the marker; later runs get the kept `generated` and prepared fields back.
 *
 * @example
 * ```ts ignore
 * const { model } = await generatedNetwork(options, async () => ({ model: await trainOne() }));
 * ```
 */
export async function generatedNetwork<T extends Record<string, unknown>>(
  options: GeneratedNetworkOptions,
  prepare: (generated: GenerateResult) => Promise<T> = () => Promise.resolve({} as T),
): Promise<{ generated: GenerateResult } & T> {
  const { out, dataDir, network, days, alertsPerDay, seed, startDate } = options;
  const ready = join(out, `ready_${days}x${alertsPerDay}`);
  const kept = await Deno.readTextFile(ready).then((text) => JSON.parse(text), () => null);
  if (kept !== null) return kept;
  await Deno.remove(out, { recursive: true }).catch(() => {});
  await Deno.mkdir(out, { recursive: true });
  let generated: GenerateResult;
  {
    await using ch = await openClickHouse({ dataDir });
    generated = await generate(ch, { network, days, alertsPerDay, seed, startDate });
  }
  console.log(`Generated ${generated.rows.raw_alerts} alerts in ${generated.seconds.toFixed(1)} s`);
  const result = { generated, ...await prepare(generated) };
  await Deno.writeTextFile(ready, JSON.stringify(result));
  return result;
}
