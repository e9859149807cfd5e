/**
 * How one Parquet file of the upstream is read into one input table: which of its columns
 * fill which of the table's, with which cast (the contract's drift rules, column_cast.ts,
 * plus JSON-string arrays), which columns are stamped from the batch, and which checks run
 * on every row. The result is SQL fragments and parameters; nothing runs here.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import { castExpression, castPlan } from "../contract/column_cast.ts";
import { FEATURE_COLUMNS, normaliseType, REQUIRED_COLUMNS } from "../contract/contract_columns.ts";
import type { InputTable, QueryParams } from "../types.ts";
import type { ParquetColumn } from "./parquet_columns.ts";

/** A column of the target table: its type and whether it has a DEFAULT. */
export interface TargetColumn {
  /** Type as `system.columns` reports it. */
  type: string;
  /** Whether an omitted value takes the column's DEFAULT. */
  hasDefault: boolean;
}

/** Values a file may lack, stamped from the batch (labels: from the batch being imported). */
export interface Stamps {
  /** The batch's processing_date, `YYYY-MM-DD`. */
  processingDate: string;
  /** The batch's window_days. */
  windowDays: number;
  /** The network (labels' `network` column). */
  network: string;
  /**
   * Whether processing_date and window_days present in the file must equal the batch's
   * (a batch file), or are kept as they are (a labels file with dates of its own).
   */
  keysMustMatch: boolean;
}

/** The reading of one file into one table. */
export interface FileConversion {
  /** Target columns filled, in order (backquoted contract names). */
  columns: string[];
  /** One SQL expression per column, over the file's columns. */
  select: string[];
  /** Row checks (`throwIf(...)`), joined with AND in a WHERE clause; may be empty. */
  checks: string[];
  /** `name Type, ...` of the file columns read, for `file()` / `input()`. */
  structure: string;
  /** Parameters of the fragments. */
  params: QueryParams;
  /** `column Found as Expected` for every cast. */
  casts: string[];
  /** Columns of the file that no contract column reads. */
  ignored: string[];
  /** Optional raw_features columns of the table that the file lacks. */
  missingFeatures: string[];
  /** Optional raw_features columns of the contract that the file has. */
  presentFeatures: string[];
  /** Whether the file had its own processing_date (labels keep their own dates). */
  dated: boolean;
}

const FEATURE_NAMES = new Set(FEATURE_COLUMNS.map((spec) => spec.name));
const KEY_COLUMNS = new Set(["processing_date", "window_days"]);
const NAME = /^[a-z_][a-z0-9_]*$/;

/** The contract columns of a table the import may fill. */
function contractColumns(table: InputTable): Set<string> {
  const names = new Set(Object.keys(REQUIRED_COLUMNS[table]));
  if (table === "raw_features") { for (const name of FEATURE_NAMES) names.add(name); }
  if (table !== "raw_address_labels") names.add("created_at").add("_version");
  return names;
}

function stripNullable(type: string): { inner: string; nullable: boolean } {
  const match = /^Nullable\((.*)\)$/.exec(type);
  return match ? { inner: match[1], nullable: true } : { inner: type, nullable: false };
}

/**
 * Plans reading `file` (its Parquet columns) into `table` (its columns in the database).
 * A contract column of the table is read from the file's column of the same name, cast by
 * the drift rules; a Nullable column is read with a cast, so that a NULL is an error, not
 * a zero. When the file lacks it: processing_date and window_days are stamped with the
 * batch's, `network` with the network, `created_at` with the batch date at midnight (so
 * that importing twice gives the same rows), `_version` with 0; a column with a DEFAULT
 * takes it; an optional raw_features column is reported in `missingFeatures`; any other is
 * an error. Throws one DATA_INVALID error naming every column that cannot be read (file,
 * column, type found, type expected) and every required column missing.
 *
 * @example
 * ```ts
 * import { planConversion } from "./file_conversion.ts";
 * const plan = planConversion(
 *   "money_flows.parquet",
 *   [{ name: "unique_assets", type: "Int64" }],
 *   "raw_money_flows",
 *   new Map([["unique_assets", { type: "UInt32", hasDefault: false }]]),
 *   { processingDate: "2025-12-01", windowDays: 7, network: "torus", keysMustMatch: true },
 * );
 * console.assert(plan.select[0] === "accurateCast({s0:Identifier}, {t0:String})");
 * console.assert(plan.params.t0 === "UInt32");
 * ```
 */
export function planConversion(
  file: string,
  fileColumns: readonly ParquetColumn[],
  table: InputTable,
  target: ReadonlyMap<string, TargetColumn>,
  stamps: Stamps,
): FileConversion {
  const found = new Map(fileColumns.map((column) => [column.name, column.type]));
  const fillable = contractColumns(table);
  const params: Record<string, string | number> = {
    stamp_date: stamps.processingDate,
    stamp_window: stamps.windowDays,
    stamp_network: stamps.network,
  };
  const plan: FileConversion = {
    columns: [],
    select: [],
    checks: [],
    structure: "",
    params,
    casts: [],
    ignored: fileColumns.map((column) => column.name).filter((name) =>
      !fillable.has(name) || !target.has(name)
    ),
    missingFeatures: [],
    presentFeatures: fileColumns.map((column) => column.name).filter((name) =>
      table === "raw_features" && FEATURE_NAMES.has(name)
    ),
    dated: found.has("processing_date"),
  };
  const structure: string[] = [];
  const wrong: string[] = [];
  const missing: string[] = [];
  for (const [name, column] of target) {
    if (!fillable.has(name) || !NAME.test(name)) continue;
    const expected = normaliseType(column.type);
    const fileType = found.get(name);
    const quoted = "`" + name + "`";
    if (fileType === undefined) {
      const stamp = stampFor(name, table);
      if (stamp !== undefined) {
        plan.columns.push(quoted);
        plan.select.push(stamp);
      } else if (table === "raw_features" && FEATURE_NAMES.has(name)) {
        plan.missingFeatures.push(name);
      } else if (!column.hasDefault) {
        missing.push(name + " (" + expected + ")");
      }
      continue;
    }
    const { inner, nullable } = stripNullable(fileType);
    const cast = castPlan(inner, expected, { jsonArrays: true });
    if (cast === undefined) {
      wrong.push(name + " is " + fileType + " (expected " + expected + ")");
      continue;
    }
    const index = structure.length;
    const slot = "s" + index;
    structure.push("`" + name + "` " + fileType);
    params[slot] = name;
    const source = "{" + slot + ":Identifier}";
    const type = "t" + index;
    params[type] = expected;
    const read = castExpression(
      source,
      expected,
      cast === "same" && nullable ? "cast" : cast,
      "{" + type + ":String}",
    );
    if (cast !== "same" || nullable) plan.casts.push(name + " " + fileType + " as " + expected);
    plan.columns.push(quoted);
    plan.select.push(read);
    if (cast === "json_array") {
      const message = "m" + plan.checks.length;
      params[message] = `${file}: column ${name} holds a value that is not a JSON array`;
      plan.checks.push(
        "throwIf(isNull(JSONArrayLength(" + source + ")), {" + message + ":String}) = 0",
      );
    }
    if (KEY_COLUMNS.has(name) && stamps.keysMustMatch) {
      const message = "m" + plan.checks.length;
      const stamp = name === "processing_date" ? "{stamp_date:Date}" : "{stamp_window:UInt16}";
      params[message] = `${file}: column ${name} holds a value other than its folder's ` +
        (name === "processing_date" ? stamps.processingDate : String(stamps.windowDays));
      plan.checks.push("throwIf(" + read + " != " + stamp + ", {" + message + ":String}) = 0");
    }
  }
  if (wrong.length > 0 || missing.length > 0) {
    const parts = [
      ...(wrong.length > 0 ? [wrong.join(", ")] : []),
      ...(missing.length > 0 ? ["missing " + missing.join(", ")] : []),
    ];
    throw new RiskTrainError(
      "DATA_INVALID",
      `Cannot read ${file} as ${table}: ${parts.join("; ")}`,
    );
  }
  plan.structure = structure.join(", ");
  return plan;
}

/** The stamp of a column a file lacks, or undefined when it is not stamped. */
function stampFor(name: string, table: InputTable): string | undefined {
  if (name === "processing_date") return "{stamp_date:Date}";
  if (name === "window_days") return "{stamp_window:UInt16}";
  if (name === "network" && table === "raw_address_labels") return "{stamp_network:String}";
  if (name === "created_at") return "toDateTime({stamp_date:Date}, 'UTC')";
  if (name === "_version") return "toUInt64(0)";
  return undefined;
}
