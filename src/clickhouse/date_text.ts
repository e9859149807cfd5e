/**
 * Writes a JavaScript Date as the text ClickHouse parses for a Date, Date32, DateTime or
 * DateTime64 value, free of any time zone: `YYYY-MM-DD` for days, Unix seconds for times.
 *
 * @module
 */

const WRAPPERS = /^(?:Nullable|LowCardinality)\((.*)\)$/s;
const ARRAY = /^Array\((.*)\)$/s;

/**
 * A ClickHouse type without its Nullable/LowCardinality wrappers.
 *
 * @example
 * ```ts
 * import { baseType } from "./date_text.ts";
 * console.assert(baseType("LowCardinality(Nullable(String))") === "String");
 * ```
 */
export function baseType(type: string): string {
  let current = type.trim();
  for (let match = WRAPPERS.exec(current); match; match = WRAPPERS.exec(current)) {
    current = match[1].trim();
  }
  return current;
}

/**
 * The element type of an `Array(T)` type (wrappers removed first), else undefined.
 *
 * @example
 * ```ts
 * import { arrayElementType } from "./date_text.ts";
 * console.assert(arrayElementType("Array(Date)") === "Date");
 * ```
 */
export function arrayElementType(type: string): string | undefined {
  return ARRAY.exec(baseType(type))?.[1];
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/**
 * The text of `value` for a value of ClickHouse type `type`; `what` names the value in
 * errors ("parameter: start"). A Date for any other type, an invalid Date, a time of day
 * for a day type or milliseconds for a DateTime throw a TypeError.
 *
 * @example
 * ```ts
 * import { dateText } from "./date_text.ts";
 * const day = new Date("2024-05-01T00:00:00Z");
 * console.assert(dateText(day, "Date", "parameter: d") === "2024-05-01");
 * console.assert(dateText(day, "DateTime('UTC')", "parameter: t") === "1714521600");
 * ```
 */
export function dateText(value: Date, type: string | undefined, what: string): string {
  const time = value.getTime();
  if (Number.isNaN(time)) throw new TypeError(`Invalid Date for ${what}`);
  const base = type === undefined ? undefined : baseType(type);
  if (base?.startsWith("DateTime64")) return (time / 1000).toFixed(3);
  if (base?.startsWith("DateTime")) {
    if (time % 1000 !== 0) {
      throw new TypeError(`Date with milliseconds for a DateTime ${what} (use DateTime64(3))`);
    }
    return String(time / 1000);
  }
  if (base === "Date" || base === "Date32") {
    if (time % 86_400_000 !== 0) {
      throw new TypeError(`Date with a time of day for a ${base} ${what} (expected UTC midnight)`);
    }
    return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${
      pad(value.getUTCDate())
    }`;
  }
  throw new TypeError(
    `A Date needs a Date, Date32, DateTime or DateTime64 type: ${what} is ${
      type ?? "not in the query"
    }`,
  );
}
