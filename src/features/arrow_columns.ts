/**
 * Reads Arrow columns into plain typed arrays, chunk by chunk, without row objects. A
 * column of the wrong kind is a `DATA_INVALID` error naming it.
 *
 * @module
 */
import { type Data, DataType, type Table, type Vector } from "npm:apache-arrow@21.2.0";
import { RiskTrainError } from "../errors.ts";

const DAY_MS = 86_400_000;

function child(table: Table, name: string, source: string): Vector {
  const vector = table.getChild(name);
  if (vector === null) {
    throw new RiskTrainError("DATA_INVALID", "Column missing: " + source + "." + name);
  }
  return vector;
}

function invalid(source: string, name: string, type: DataType, expected: string): RiskTrainError {
  return new RiskTrainError(
    "DATA_INVALID",
    "Column " + source + "." + name + " is " + String(type) + ", expected " + expected,
  );
}

function isValid(data: Data, index: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const bit = data.offset + index;
  return ((data.nullBitmap[bit >> 3] >> (bit & 7)) & 1) === 1;
}

/** Whether `type` is a number type this module reads (integers, floats, booleans). */
export function isNumeric(type: DataType): boolean {
  return (DataType.isInt(type) || DataType.isFloat(type) || DataType.isBool(type)) &&
    !(DataType.isFloat(type) && type.precision === 0);
}

/**
 * Column `name` as Float64 values; nulls become NaN. Integers (64-bit ones too), floats and
 * booleans are read; any other type throws `DATA_INVALID` naming `source.name`.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { numberColumn } from "./arrow_columns.ts";
 * const values = numberColumn(tableFromArrays({ x: Int32Array.of(1, 2) }), "x", "t");
 * console.assert(values[1] === 2);
 * ```
 */
export function numberColumn(table: Table, name: string, source: string): Float64Array {
  const vector = child(table, name, source);
  if (!isNumeric(vector.type)) throw invalid(source, name, vector.type, "numbers");
  const out = new Float64Array(vector.length);
  let at = 0;
  for (const data of vector.data as Data[]) {
    const values = data.values as ArrayLike<number | bigint> | undefined;
    if (DataType.isBool(data.type) || values === undefined) {
      for (let i = 0; i < data.length; i++) {
        const value = vector.get(at + i);
        out[at + i] = value === null ? NaN : Number(value);
      }
    } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      for (let i = 0; i < data.length; i++) {
        out[at + i] = isValid(data, i) ? Number(values[i]) : NaN;
      }
    } else {
      const numbers = values as ArrayLike<number>;
      if (data.nullCount === 0) {
        out.set((numbers as unknown as Float64Array).subarray(0, data.length), at);
      } else {for (let i = 0; i < data.length; i++) {
          out[at + i] = isValid(data, i) ? numbers[i] : NaN;
        }}
    }
    at += data.length;
  }
  return out;
}

function isText(type: DataType): boolean {
  const values = DataType.isDictionary(type) ? type.dictionary : type;
  return DataType.isUtf8(values) || DataType.isLargeUtf8(values);
}

/**
 * Column `name` as strings (plain or dictionary-encoded); a null is an error (keys and categories are never null).
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { stringColumn } from "./arrow_columns.ts";
 * console.assert(stringColumn(tableFromArrays({ s: ["a", "b"] }), "s", "t")[1] === "b");
 * ```
 */
export function stringColumn(table: Table, name: string, source: string): string[] {
  const vector = child(table, name, source);
  if (!isText(vector.type)) throw invalid(source, name, vector.type, "strings");
  const out = new Array<string>(vector.length);
  let at = 0;
  for (const data of vector.data as Data[]) {
    if (data.nullCount > 0) {
      throw new RiskTrainError("DATA_INVALID", "Null value in " + source + "." + name);
    }
    if (!DataType.isUtf8(data.type) || !asciiChunk(data, out, at)) {
      for (let i = 0; i < data.length; i++) out[at + i] = vector.get(at + i) as string;
    }
    at += data.length;
  }
  return out;
}

const decoder = new TextDecoder();

/**
 * Decodes a Utf8 chunk whose bytes are all ASCII with one TextDecoder call, slicing the
 * strings out of it (byte offsets are character offsets); false when a byte is not ASCII.
 */
function asciiChunk(data: Data, out: string[], at: number): boolean {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = (data.values as Uint8Array).subarray(offsets[0], offsets[data.length]);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  const text = decoder.decode(bytes);
  const base = offsets[0];
  for (let i = 0; i < data.length; i++) {
    out[at + i] = text.slice(offsets[i] - base, offsets[i + 1] - base);
  }
  return true;
}

/**
 * Column `name` (Date32, or a ClickHouse Date sent as UInt16 days) as days since
 * 1970-01-01.
 *
 * @example
 * ```ts
 * import { tableFromArrays } from "npm:apache-arrow@21.2.0";
 * import { dayColumn } from "./arrow_columns.ts";
 * console.assert(dayColumn(tableFromArrays({ d: Uint16Array.of(19723) }), "d", "t")[0] === 19723);
 * ```
 */
export function dayColumn(table: Table, name: string, source: string): Int32Array {
  const vector = child(table, name, source);
  const type = vector.type;
  const out = new Int32Array(vector.length);
  if (DataType.isDate(type)) {
    let at = 0;
    for (const data of vector.data as Data[]) {
      const values = data.values as Int32Array | BigInt64Array;
      for (let i = 0; i < data.length; i++) {
        out[at + i] = values instanceof BigInt64Array
          ? Math.floor(Number(values[i]) / DAY_MS)
          : values[i];
      }
      at += data.length;
    }
    return out;
  }
  if (DataType.isInt(type)) {
    const numbers = numberColumn(table, name, source);
    for (let i = 0; i < numbers.length; i++) out[i] = numbers[i];
    return out;
  }
  throw invalid(source, name, type, "dates");
}

/**
 * Column `name` (a list of integers, e.g. row numbers) as arrays of numbers.
 *
 * @example
 * ```ts
 * import { Field, List, Table, Uint32, vectorFromArray } from "npm:apache-arrow@21.2.0";
 * import { integerListColumn } from "./arrow_columns.ts";
 * const s = vectorFromArray([[1, 2], [3]], new List(new Field("item", new Uint32())));
 * const lists = integerListColumn(new Table({ s }), "s", "t");
 * console.assert(lists[0].join() === "1,2" && lists[1][0] === 3);
 * ```
 */
export function integerListColumn(table: Table, name: string, source: string): number[][] {
  const vector = child(table, name, source);
  if (!DataType.isList(vector.type) || !DataType.isInt(vector.type.children[0].type)) {
    throw invalid(source, name, vector.type, "lists of integers");
  }
  const out = new Array<number[]>(vector.length);
  let at = 0;
  for (const data of vector.data as Data[]) {
    const offsets = data.valueOffsets as Int32Array;
    const items = data.children[0];
    const values = items.values as ArrayLike<number | bigint>;
    for (let i = 0; i < data.length; i++) {
      const list: number[] = [];
      if (isValid(data, i)) {
        for (let k = offsets[i]; k < offsets[i + 1]; k++) {
          if (!isValid(items, k)) {
            throw new RiskTrainError("DATA_INVALID", "Null item in " + source + "." + name);
          }
          list.push(Number(values[k]));
        }
      }
      out[at + i] = list;
    }
    at += data.length;
  }
  return out;
}
