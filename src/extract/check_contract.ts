/**
 * Checks a network database against the data contract before anything is extracted: the
 * database exists, the five input tables exist, every required column is there with its
 * contract type, and optional raw_features columns are either there with their type or
 * reported missing.
 *
 * @module
 */
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import type { ClickHouse, InputTable } from "../types.ts";
import {
  FEATURE_COLUMNS,
  type FeatureColumnSpec,
  INPUT_TABLES,
  normaliseType,
  REQUIRED_COLUMNS,
} from "../contract/contract_columns.ts";
import { castPlan } from "../contract/column_cast.ts";
import {
  type ColumnCast,
  COLUMNS_SQL,
  DATABASE_EXISTS_SQL,
  ENGINES_SQL,
  NETWORK_DATABASES_SQL,
} from "./extract_sql.ts";

/** What the contract check found. */
export interface ContractCheck {
  /** Optional raw_features columns present, in contract order. */
  presentFeatureColumns: FeatureColumnSpec[];
  /** Optional raw_features columns missing, in contract order. */
  missingFeatureColumns: string[];
  /** Columns of another width (or UInt8 for Bool) that extraction casts to the contract's type. */
  casts: ColumnCast[];
  /** ReplacingMergeTree tables, read with FINAL. */
  replacingTables: InputTable[];
}

/** The column that replaces `created_at` in the upstream's ReplacingMergeTree tables. */
const VERSION_COLUMN = "_version";

function strings(values: Iterable<unknown>): string[] {
  return Array.from(values, (value) => String(value));
}

async function unknownDatabase(
  ch: ClickHouse,
  database: string,
  network: string,
  explicit: boolean,
  signal?: AbortSignal,
): Promise<RiskTrainError> {
  const exists = await ch.query(DATABASE_EXISTS_SQL, { params: { db: database }, signal });
  if (Number(exists.getChild("n")?.get(0) ?? 0) > 0) {
    return new RiskTrainError(
      "TABLE_NOT_FOUND",
      "Tables missing in " + database + ": " + INPUT_TABLES.join(", "),
    );
  }
  if (explicit) {
    return new RiskTrainError("DATABASE_NOT_FOUND", "Database not found: " + database);
  }
  const known = await ch.query(NETWORK_DATABASES_SQL, { signal });
  const networks = strings(known.getChild("name") ?? []).map((name) =>
    name.slice("risk_scoring_".length)
  );
  return new RiskTrainError(
    "DATABASE_NOT_FOUND",
    "Unknown network: " + network + " (database " + database + " does not exist; networks " +
      "found: " + (networks.length > 0 ? networks.join(", ") : "none") + ")",
  );
}

/**
 * Reads `system.columns` for the input tables in one query and checks it against the
 * contract. A column of another width (see column_cast.ts) is accepted and listed in
 * `casts`; `created_at` may be missing from a table that has `_version` (the upstream's
 * ReplacingMergeTree tables, listed in `replacingTables`). Throws `DATABASE_NOT_FOUND`,
 * `TABLE_NOT_FOUND`, or `CONTRACT_VIOLATION` naming every missing required column, or
 * every column whose type is of another kind.
 *
 * @example
 * ```ts ignore
 * import { checkContract } from "./check_contract.ts";
 * const { missingFeatureColumns } = await checkContract(ch, "risk_scoring_demo", "demo", false);
 * ```
 */
export async function checkContract(
  ch: ClickHouse,
  database: string,
  network: string,
  explicit: boolean,
  signal?: AbortSignal,
): Promise<ContractCheck> {
  const table = await ch.query(COLUMNS_SQL, {
    params: { db: database, tables: [...INPUT_TABLES] },
    signal,
  });
  throwIfAborted(signal);
  const tables = strings(table.getChild("table") ?? []);
  const names = strings(table.getChild("name") ?? []);
  const types = strings(table.getChild("type") ?? []);
  if (tables.length === 0) throw await unknownDatabase(ch, database, network, explicit, signal);

  const found = new Map<string, Map<string, string>>();
  tables.forEach((name, i) => {
    if (!found.has(name)) found.set(name, new Map());
    found.get(name)!.set(names[i], normaliseType(types[i]));
  });
  const missingTables = INPUT_TABLES.filter((name) => !found.has(name));
  if (missingTables.length > 0) {
    throw new RiskTrainError(
      "TABLE_NOT_FOUND",
      "Tables missing in " + database + ": " + missingTables.join(", "),
    );
  }

  const missing: string[] = [];
  const wrong: string[] = [];
  const casts: ColumnCast[] = [];
  const check = (table: InputTable, column: string, expected: string, required: boolean) => {
    const columns = found.get(table)!;
    const actual = columns.get(column);
    if (actual === undefined) {
      const versioned = column === "created_at" && columns.has(VERSION_COLUMN);
      if (required && !versioned) missing.push(table + "." + column);
      return;
    }
    const plan = castPlan(actual, expected);
    if (plan === undefined) {
      wrong.push(table + "." + column + " is " + actual + " (expected " + expected + ")");
    } else if (plan !== "same") {
      casts.push({ table, column, found: actual, expected, plan });
    }
  };
  for (const name of INPUT_TABLES) {
    for (const [column, type] of Object.entries(REQUIRED_COLUMNS[name])) {
      check(name, column, type, true);
    }
  }
  for (const spec of FEATURE_COLUMNS) check("raw_features", spec.name, spec.type, false);
  if (missing.length > 0) {
    throw new RiskTrainError(
      "CONTRACT_VIOLATION",
      "Columns of the data contract missing in " + database + ": " + missing.join(", "),
    );
  }
  if (wrong.length > 0) {
    throw new RiskTrainError(
      "CONTRACT_VIOLATION",
      "Column types differ from the data contract in " + database + ": " + wrong.join(", "),
    );
  }
  const engines = await ch.query(ENGINES_SQL, {
    params: { db: database, tables: [...INPUT_TABLES] },
    signal,
  });
  const engineNames = strings(engines.getChild("engine") ?? []);
  const replacingTables = INPUT_TABLES.filter((name) =>
    strings(engines.getChild("name") ?? []).some((table, i) =>
      table === name && /ReplacingMergeTree$/.test(engineNames[i])
    )
  );
  const features = found.get("raw_features")!;
  return {
    presentFeatureColumns: FEATURE_COLUMNS.filter((spec) => features.has(spec.name)),
    missingFeatureColumns: FEATURE_COLUMNS.filter((spec) => !features.has(spec.name)).map((
      spec,
    ) => spec.name),
    casts,
    replacingTables,
  };
}
