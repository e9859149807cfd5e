/**
 * The data contract's tolerance of upstream type drift: which column types are read as the
 * contract's type (cast in SQL) and which are of another kind (refused). Shared by the
 * extraction's contract check and the snapshot import.
 *
 * - an integer of another width or sign, for an integer: `accurateCast` (a value out of the
 *   contract type's range is an error, never wrapped);
 * - an integer (a UInt8 comparison result) for a Bool, and a Bool for an integer;
 * - a Float of another width, an integer or a Decimal, for a Float: `CAST`;
 * - a Decimal of another precision or scale, a Float or an integer, for a Decimal: `CAST`;
 * - Date32 or a DateTime for a Date, a DateTime64 for a DateTime; FixedString for a String;
 * - an array of any of these for an array (`Array(UInt64)` for `Array(UInt16)`);
 * - with `jsonArrays`, a String holding a JSON array for an `Array(String)`.
 *
 * Anything else (a String for a number, a number for a String) is of another kind.
 *
 * @module
 */

/** How a found column is read as the contract's type. */
export type CastPlan = "same" | "cast" | "json_array";

type Kind = "integer" | "bool" | "float" | "decimal" | "string" | "date" | "datetime";

function kindOf(type: string): Kind | undefined {
  if (/^U?Int(8|16|32|64|128|256)$/.test(type)) return "integer";
  if (type === "Bool") return "bool";
  if (/^Float(32|64)$/.test(type)) return "float";
  if (/^Decimal(\d+)?\(\d+(, ?\d+)?\)$/.test(type)) return "decimal";
  if (type === "String" || /^FixedString\(\d+\)$/.test(type)) return "string";
  if (type === "Date" || type === "Date32") return "date";
  if (/^DateTime(64)?(\(.*\))?$/.test(type)) return "datetime";
  return undefined;
}

function arrayElement(type: string): string | undefined {
  const match = /^Array\((.*)\)$/.exec(type);
  return match?.[1];
}

const READS_AS: Readonly<Record<Kind, readonly Kind[]>> = {
  integer: ["integer", "bool"],
  bool: ["bool", "integer"],
  float: ["float", "integer", "decimal"],
  decimal: ["decimal", "float", "integer"],
  string: ["string"],
  date: ["date", "datetime"],
  datetime: ["datetime"],
};

/**
 * How a column of type `found` is read as `expected` (both as `system.columns` spells
 * them, without `LowCardinality`), or undefined when it is of another kind.
 *
 * @example
 * ```ts
 * import { castPlan } from "./column_cast.ts";
 * console.assert(castPlan("UInt64", "UInt32") === "cast");
 * console.assert(castPlan("Array(UInt64)", "Array(UInt16)") === "cast");
 * console.assert(castPlan("String", "UInt32") === undefined);
 * console.assert(castPlan("String", "Array(String)", { jsonArrays: true }) === "json_array");
 * ```
 */
export function castPlan(
  found: string,
  expected: string,
  options: { jsonArrays?: boolean } = {},
): CastPlan | undefined {
  if (found === expected) return "same";
  const expectedElement = arrayElement(expected);
  const foundElement = arrayElement(found);
  if (expectedElement !== undefined) {
    if (foundElement !== undefined) {
      return castPlan(foundElement, expectedElement) === undefined ? undefined : "cast";
    }
    if (options.jsonArrays && expectedElement === "String" && kindOf(found) === "string") {
      return "json_array";
    }
    return undefined;
  }
  if (foundElement !== undefined) return undefined;
  const want = kindOf(expected);
  const have = kindOf(found);
  if (want === undefined || have === undefined) return undefined;
  return READS_AS[want].includes(have) ? "cast" : undefined;
}

/**
 * The SQL reading `column` (an SQL expression, e.g. `{c0:Identifier}`) as `expected`
 * under `plan`. The type is written as `typeSql`: by default `expected` quoted (a
 * contract constant), or a `{tN:String}` parameter bound to it.
 *
 * @example
 * ```ts
 * import { castExpression } from "./column_cast.ts";
 * console.assert(
 *   castExpression("{c0:Identifier}", "UInt32", "cast") === "accurateCast({c0:Identifier}, 'UInt32')",
 * );
 * ```
 */
export function castExpression(
  column: string,
  expected: string,
  plan: CastPlan,
  typeSql = "'" + expected + "'",
): string {
  if (plan === "same") return column;
  if (plan === "json_array") return "JSONExtract(" + column + ", " + typeSql + ")";
  const element = arrayElement(expected) ?? expected;
  const kind = kindOf(element);
  // accurateCast refuses what does not fit; a Float or Decimal is rounded by CAST instead.
  const accurate = kind === "integer" || kind === "bool" || kind === "date";
  return (accurate ? "accurateCast(" : "CAST(") + column + ", " + typeSql + ")";
}
