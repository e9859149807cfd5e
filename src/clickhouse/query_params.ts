/**
 * Turns {@linkcode QueryParams} into the values ClickHouse's parameter binder parses, by
 * the type each `{name:Type}` placeholder declares. Values are never put into SQL text:
 * the engine binds them.
 *
 * @module
 */
import type { QueryParams, QueryParamValue } from "../types.ts";
import { arrayElementType, baseType, dateText } from "./date_text.ts";

/** A parameter value as both clients serialise it for ClickHouse's binder. */
export type BoundParam = string | number | bigint | boolean | readonly BoundParam[];

const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*((?:[^{}'"]|'[^']*'|"[^"]*")+?)\s*\}/g;

/**
 * The type each `{name:Type}` placeholder of `sql` declares, by name.
 *
 * @example
 * ```ts
 * import { declaredParamTypes } from "./query_params.ts";
 * const types = declaredParamTypes("SELECT * FROM t WHERE d >= {start:Date}");
 * console.assert(types.get("start") === "Date");
 * ```
 */
export function declaredParamTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(PLACEHOLDER)) types.set(match[1], match[2].trim());
  return types;
}

function bindNumber(name: string, value: number, type: string | undefined): BoundParam {
  if (Number.isFinite(value)) {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new TypeError(`Integer beyond 2^53 for parameter: ${name} (pass a bigint)`);
    }
    return value;
  }
  const base = type === undefined ? "" : baseType(type);
  if (!/^(?:Float32|Float64|BFloat16)$/.test(base)) {
    throw new TypeError(`Non-finite number for a non-Float parameter: ${name}`);
  }
  return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

function bindValue(name: string, value: QueryParamValue, type: string | undefined): BoundParam {
  if (typeof value === "string" || typeof value === "bigint") return value;
  if (typeof value === "number") return bindNumber(name, value, type);
  if (typeof value === "boolean") {
    const base = type === undefined ? "Bool" : baseType(type);
    return base === "Bool" || base === "Boolean" ? value : value ? 1 : 0;
  }
  if (value instanceof Date) return dateText(value, type, `parameter: ${name}`);
  if (Array.isArray(value)) {
    const element = type === undefined ? undefined : arrayElementType(type);
    if (type !== undefined && element === undefined) {
      throw new TypeError(`An array needs an Array(...) placeholder: ${name} is ${type}`);
    }
    return value.map((item: QueryParamValue) => bindValue(name, item, element));
  }
  throw new TypeError(`Unsupported value for parameter: ${name}`);
}

/**
 * Converts parameters for binding: a `Date` becomes `YYYY-MM-DD` for `Date`/`Date32`
 * placeholders and Unix seconds (time-zone free) for `DateTime`/`DateTime64`; booleans
 * become 1/0 unless the placeholder is `Bool`; arrays convert element by element. Misuse
 * (a Date for a String placeholder, an unsafe integer) throws a TypeError.
 *
 * @example
 * ```ts
 * import { bindParams } from "./query_params.ts";
 * const bound = bindParams("SELECT {d:Date}", { d: new Date("2024-05-01T00:00:00Z") });
 * console.assert(bound.d === "2024-05-01");
 * ```
 */
export function bindParams(sql: string, params: QueryParams = {}): Record<string, BoundParam> {
  const types = declaredParamTypes(sql);
  const bound: Record<string, BoundParam> = {};
  for (const [name, value] of Object.entries(params)) {
    bound[name] = bindValue(name, value, types.get(name));
  }
  return bound;
}
