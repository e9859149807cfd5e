/**
 * Dictionary encoding of categorical features for LightGBM: code `i` stands for
 * `categories[i]`. A training run sorts the distinct values; scoring reuses the training
 * run's dictionary, so codes never shift, and a value the dictionary lacks becomes NaN
 * (LightGBM's "missing": it follows the split's default direction).
 *
 * @module
 */

/** Codes of one categorical column and the dictionary they index. */
export interface EncodedCategories {
  /** Code per row as a number; NaN for a missing value or one the dictionary lacks. */
  codes: Float64Array;
  /** The dictionary in code order. */
  categories: readonly string[];
  /** Rows whose value the dictionary lacks. */
  unseen: number;
}

/**
 * Encodes `values` with `dictionary`, or with the sorted distinct values when none is
 * given; null (missing) becomes NaN.
 *
 * @example
 * ```ts
 * import { encodeCategories } from "./categorical.ts";
 * const fresh = encodeCategories(["b", "a", "b"]);
 * console.assert(fresh.categories.join() === "a,b" && fresh.codes.join() === "1,0,1");
 * const scored = encodeCategories(["a", "c"], fresh.categories);
 * console.assert(scored.codes[0] === 0 && Number.isNaN(scored.codes[1]) && scored.unseen === 1);
 * ```
 */
export function encodeCategories(
  values: readonly (string | null)[],
  dictionary?: readonly string[],
): EncodedCategories {
  const categories = dictionary ??
    Array.from(new Set(values)).filter((value): value is string => value !== null).sort();
  const codeOf = new Map(categories.map((category, code) => [category, code]));
  const codes = new Float64Array(values.length);
  let unseen = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const code = value === null ? undefined : codeOf.get(value);
    if (code === undefined && value !== null) unseen++;
    codes[i] = code ?? NaN;
  }
  return { codes, categories, unseen };
}
