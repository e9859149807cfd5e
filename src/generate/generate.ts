/**
 * Generates a realistic synthetic network inside ClickHouse: every input table of the data
 * contract, filled by `INSERT ... SELECT` statements over `numbers()` with seeded hash
 * functions. docs/GENERATOR.md describes the distributions and the learnable signal.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import { migrate } from "../schema/migrate.ts";
import { DatabaseSchema, IsoDateSchema, NetworkSchema, parseOptions } from "../options.ts";
import type { ClickHouse, InputTable, QueryParams } from "../types.ts";
import { planGeneration } from "./generation_plan.ts";
import { GENERATOR_SQL, HELPER_TABLES } from "./sql_files.ts";

const logger = getLogger(["risktrain", "generate"]);

/** The input tables of the data contract, in the order the generator fills them. */
export const INPUT_TABLES = [
  "raw_alerts",
  "raw_clusters",
  "raw_money_flows",
  "raw_features",
  "raw_address_labels",
] as const satisfies readonly InputTable[];

/** Progress of {@linkcode generate}, reported after every statement. */
export interface GenerateProgress {
  /** What was generated: a table of the contract, or `addresses` (the hidden population). */
  table: InputTable | "addresses";
  /** The window generated, when the step is for one window. */
  windowDays?: number;
  /** First processing date of the step, `YYYY-MM-DD`, when it covers a date range. */
  fromDate?: string;
  /** Last processing date of the step, `YYYY-MM-DD`. */
  toDate?: string;
  /** Rows the step inserted. */
  rows: number;
  /** Steps done so far, this one included. */
  step: number;
  /** Steps in all. */
  steps: number;
}

/** Options of {@linkcode generate}. */
export interface GenerateOptions {
  /** Lowercase network identifier, e.g. `demo`. */
  network: string;
  /** Database to fill; defaults to `risk_scoring_<network>`. */
  database?: string;
  /** Number of consecutive processing dates. */
  days: number;
  /** Alerts per processing date and window. */
  alertsPerDay: number;
  /** Seed of every random draw: the same seed gives the same rows. */
  seed: number;
  /** First processing date, `YYYY-MM-DD` (default `2024-01-01`). */
  startDate?: string;
  /** The windows generated for every date (default `[7]`). */
  windowDays?: number[];
  /** Empties the input tables first; without it, non-empty input tables are refused. */
  replace?: boolean;
  /** Called after every statement. */
  onProgress?: (progress: GenerateProgress) => void;
  /** Stops between statements (and the running statement); rejects with CancelledError. */
  signal?: AbortSignal;
}

/** The zod schema of {@linkcode GenerateOptions}; fills the defaults. */
export const generateOptionsSchema: z.ZodType<
  Required<Omit<GenerateOptions, "database" | "onProgress" | "signal">> & GenerateOptions,
  GenerateOptions
> = z.object({
  network: NetworkSchema,
  database: DatabaseSchema.optional(),
  days: z.number().int().min(1).max(3660),
  alertsPerDay: z.number().int().min(1).max(1_000_000),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  startDate: IsoDateSchema.refine((value) => value >= "1971-01-01" && value <= "2100-01-01", {
    message: "Expected a date between 1971-01-01 and 2100-01-01",
  }).default("2024-01-01"),
  windowDays: z.array(z.number().int().min(1).max(3650)).min(1)
    .refine((values) => new Set(values).size === values.length, {
      message: "Expected distinct window sizes",
    }).default([7]),
  replace: z.boolean().default(false),
  onProgress: z.custom<(progress: GenerateProgress) => void>((value) => typeof value === "function")
    .optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
}).strict().refine((options) => options.days * options.alertsPerDay <= 100_000_000, {
  message: "Expected at most 100,000,000 alerts per window (days x alertsPerDay)",
});

/** What {@linkcode generate} produced. */
export interface GenerateResult {
  /** The database filled. */
  database: string;
  /** First processing date, `YYYY-MM-DD`. */
  startDate: string;
  /** Last processing date, `YYYY-MM-DD`. */
  endDate: string;
  /** The windows generated. */
  windowDays: number[];
  /** Rows per input table. */
  rows: Record<InputTable, number>;
  /** Wall-clock seconds. */
  seconds: number;
}

/** The latent risk's intercept and noise (docs/GENERATOR.md). */
const RISK_INTERCEPT = -1.6;
const RISK_NOISE = 0.4;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):/g;

/** The parameters a statement declares, picked from `all`. */
function paramsFor(sql: string, all: Record<string, QueryParams[string]>): QueryParams {
  const picked: Record<string, QueryParams[string]> = {};
  for (const match of sql.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!(name in all)) throw new Error(`Generator statement parameter not provided: ${name}`);
    picked[name] = all[name];
  }
  return picked;
}

async function countRows(ch: ClickHouse, db: string, table: string): Promise<number> {
  const result = await ch.query("SELECT count() AS n FROM {db:Identifier}.{table:Identifier}", {
    params: { db, table },
  });
  return Number(result.getChild("n")!.get(0));
}

async function countRange(
  ch: ClickHouse,
  db: string,
  table: string,
  windowDays: number,
  from: string,
  to: string,
): Promise<number> {
  const result = await ch.query(
    "SELECT count() AS n FROM {db:Identifier}.{table:Identifier} " +
      "WHERE window_days = {window:UInt16} AND processing_date BETWEEN {d0:Date} AND {d1:Date}",
    { params: { db, table, window: windowDays, d0: from, d1: to } },
  );
  return Number(result.getChild("n")!.get(0));
}

/**
 * Fills every input table of the data contract (raw_alerts, raw_clusters, raw_money_flows,
 * raw_features, raw_address_labels) with a synthetic network of `days` processing dates
 * from `startDate`, `alertsPerDay` alerts per date at each of `windowDays`. All rows are
 * generated inside ClickHouse from seeded hashes: the same options give the same rows.
 * Creates the database and tables first (see `migrate`); refuses non-empty input tables
 * unless `replace` is set. Helper tables (`_risktrain_gen_*`) live in the database while
 * it runs and are dropped at the end.
 *
 * @example
 * ```ts ignore
 * import { generate } from "./generate.ts";
 * const result = await generate(ch, { network: "demo", days: 60, alertsPerDay: 2000, seed: 42 });
 * console.log(result.rows.raw_alerts); // 120000
 * ```
 */
export async function generate(
  ch: ClickHouse,
  options: GenerateOptions,
): Promise<GenerateResult> {
  const parsed = parseOptions(generateOptionsSchema, options, "generate options");
  const { network, days, alertsPerDay, seed, startDate, windowDays, replace, signal } = parsed;
  const onProgress = parsed.onProgress ?? (() => {});
  const started = performance.now();
  const { database: db } = await migrate(ch, { network, database: parsed.database, signal });
  const plan = planGeneration({ startDate, days, alertsPerDay });
  logger.info("Generating synthetic network {network} in {database}", {
    network,
    database: db,
    startDate,
    endDate: plan.endDate,
    windowDays,
    alertsPerDay,
    seed,
  });

  for (const table of INPUT_TABLES) {
    throwIfAborted(signal);
    const rows = await countRows(ch, db, table);
    if (rows === 0) continue;
    if (!replace) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Database ${db} already holds input rows (${table}: ${rows}); ` +
          "generate into an empty database or pass replace: true (--replace) to overwrite them",
      );
    }
    await ch.command("TRUNCATE TABLE {db:Identifier}.{table:Identifier}", {
      params: { db, table },
      signal,
    });
  }

  const all: Record<string, QueryParams[string]> = {
    db,
    seed,
    network,
    start: startDate,
    alertable: plan.alertable,
    population: plan.population,
    events: plan.eventsPerDay,
    alerts: alertsPerDay,
    pattern_groups: plan.patternGroups,
    extra: plan.extraFeatureRows,
    first_window: windowDays[0],
    windows: windowDays,
    intercept: RISK_INTERCEPT,
    noise: RISK_NOISE,
  };
  const run = async (sql: string, extra: Record<string, QueryParams[string]> = {}) => {
    throwIfAborted(signal);
    await ch.command(sql, { params: paramsFor(sql, { ...all, ...extra }), signal });
  };
  const steps = 1 + plan.chunks.length * (windowDays.length * 4) + 1;
  let step = 0;
  const report = (progress: Omit<GenerateProgress, "step" | "steps">) => {
    step += 1;
    logger.debug("Generated {rows} rows of {table}", { ...progress, step, steps });
    onProgress({ ...progress, step, steps });
  };

  try {
    await dropHelpers(ch, db, signal);
    await run(GENERATOR_SQL.createAddresses);
    await run(GENERATOR_SQL.createBatch);
    await run(GENERATOR_SQL.createEdges);
    await run(GENERATOR_SQL.addresses);
    report({ table: "addresses", rows: plan.population });

    for (const chunk of plan.chunks) {
      const range = { d0: chunk.from, d1: chunk.to, event_rows: chunk.days * plan.eventsPerDay };
      const at = { fromDate: chunk.from, toDate: chunk.to };
      for (const window of windowDays) {
        await run(GENERATOR_SQL.alerts, { ...range, window });
        const rows = await countRange(ch, db, "raw_alerts", window, chunk.from, chunk.to);
        if (rows !== chunk.days * alertsPerDay) {
          throw new RiskTrainError(
            "DATA_INVALID",
            `Generated ${rows} alerts for ${chunk.from}..${chunk.to} at window ${window}, ` +
              `expected ${chunk.days * alertsPerDay}`,
          );
        }
        report({ table: "raw_alerts", windowDays: window, ...at, rows });
      }
      for (const window of windowDays) {
        await run(GENERATOR_SQL.clusters, { ...range, window });
        const rows = await countRange(ch, db, "raw_clusters", window, chunk.from, chunk.to);
        report({ table: "raw_clusters", windowDays: window, ...at, rows });
      }
      await run(GENERATOR_SQL.batchAlerted, { ...range, window: windowDays[0] });
      await run(GENERATOR_SQL.edges, range);
      await run(GENERATOR_SQL.batchExtra, range);
      for (const window of windowDays) {
        await run(GENERATOR_SQL.moneyFlows, { ...range, window });
        const rows = await countRange(ch, db, "raw_money_flows", window, chunk.from, chunk.to);
        report({ table: "raw_money_flows", windowDays: window, ...at, rows });
      }
      for (const window of windowDays) {
        await run(GENERATOR_SQL.features, { ...range, window });
        const rows = await countRange(ch, db, "raw_features", window, chunk.from, chunk.to);
        report({ table: "raw_features", windowDays: window, ...at, rows });
      }
    }

    await run(GENERATOR_SQL.addressLabels);
    report({ table: "raw_address_labels", rows: await countRows(ch, db, "raw_address_labels") });
  } finally {
    await dropHelpers(ch, db).catch((error) => {
      logger.warn("Could not drop the generator's helper tables in {database}", {
        database: db,
        error,
      });
    });
  }

  const rows = {} as Record<InputTable, number>;
  for (const table of INPUT_TABLES) rows[table] = await countRows(ch, db, table);
  const seconds = (performance.now() - started) / 1000;
  logger.info("Generated synthetic network {network} in {seconds} s", {
    network,
    database: db,
    seconds,
    rows,
  });
  return { database: db, startDate, endDate: plan.endDate, windowDays, rows, seconds };
}

async function dropHelpers(ch: ClickHouse, db: string, signal?: AbortSignal): Promise<void> {
  for (const table of HELPER_TABLES) {
    await ch.command("DROP TABLE IF EXISTS {db:Identifier}.{table:Identifier}", {
      params: { db, table },
      signal,
    });
  }
}
