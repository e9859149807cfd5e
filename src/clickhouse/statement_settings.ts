/**
 * Per-statement ClickHouse settings for the embedded engine, which has no settings channel
 * beside the SQL text: a `SETTINGS name = {value:Type}` clause whose values are bound
 * parameters. ClickHouse's grammar has no placeholder for a setting name, so names must be
 * plain identifiers (checked here) and the engine rejects unknown ones.
 *
 * @module
 */
import type { BoundParam } from "./query_params.ts";

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A SETTINGS clause to append to a statement, with its parameter values. */
export interface SettingsClause {
  /** ` SETTINGS a = {risktrain_setting_0:Int64}, ...`, or "" when there are none. */
  clause: string;
  /** The values the clause's placeholders bind. */
  params: Record<string, BoundParam>;
}

function placeholderType(value: string | number | boolean): string {
  if (typeof value === "boolean") return "Bool";
  if (typeof value === "number") return Number.isInteger(value) ? "Int64" : "Float64";
  return "String";
}

/**
 * Builds the SETTINGS clause of one statement; a name that is not a plain identifier
 * throws a TypeError.
 *
 * @example
 * ```ts
 * import { settingsClause } from "./statement_settings.ts";
 * const { clause, params } = settingsClause({ max_threads: 2 });
 * console.assert(clause === " SETTINGS max_threads = {risktrain_setting_0:Int64}");
 * console.assert(params.risktrain_setting_0 === 2);
 * ```
 */
export function settingsClause(
  settings: Readonly<Record<string, string | number | boolean>> = {},
): SettingsClause {
  const parts: string[] = [];
  const params: Record<string, BoundParam> = {};
  Object.entries(settings).forEach(([name, value], index) => {
    if (!SETTING_NAME.test(name)) throw new TypeError(`Invalid setting name: ${name}`);
    const param = "risktrain_setting_" + index;
    parts.push(name + " = {" + param + ":" + placeholderType(value) + "}");
    params[param] = value;
  });
  return { clause: parts.length === 0 ? "" : " SETTINGS " + parts.join(", "), params };
}
