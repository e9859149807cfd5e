/**
 * Reads a Parquet file's footer (hyparquet): its row count and each top-level column with
 * the ClickHouse type that ClickHouse's Parquet reader gives it. Only the footer is
 * parsed; the data is read by ClickHouse.
 *
 * @module
 */
import { parquetMetadata, parquetSchema } from "npm:hyparquet@1.31.5";
import type { SchemaElement, SchemaTree } from "npm:hyparquet@1.31.5";
import { RiskTrainError } from "../errors.ts";

/** A top-level Parquet column and its ClickHouse type. */
export interface ParquetColumn {
  /** Column name. */
  name: string;
  /** ClickHouse type, e.g. `Int64`, `Nullable(Float64)`, `Array(UInt64)`, `Decimal(38, 18)`. */
  type: string;
}

/** What a Parquet footer says. */
export interface ParquetColumns {
  /** Rows in the file. */
  rows: number;
  /** Top-level columns in file order. */
  columns: ParquetColumn[];
}

function integerType(bits: number, signed: boolean): string {
  return (signed ? "Int" : "UInt") + bits;
}

const CONVERTED_INTEGERS: Readonly<Record<string, string>> = {
  UINT_8: "UInt8",
  UINT_16: "UInt16",
  UINT_32: "UInt32",
  UINT_64: "UInt64",
  INT_8: "Int8",
  INT_16: "Int16",
  INT_32: "Int32",
  INT_64: "Int64",
};

const TIME_DIGITS: Readonly<Record<string, number>> = { MILLIS: 3, MICROS: 6, NANOS: 9 };

/** The ClickHouse type of a primitive Parquet column, or undefined when none fits. */
function primitiveType(element: SchemaElement): string | undefined {
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (logical?.type === "DECIMAL") return `Decimal(${logical.precision}, ${logical.scale})`;
  if (converted === "DECIMAL") return `Decimal(${element.precision}, ${element.scale ?? 0})`;
  if (logical?.type === "INTEGER") return integerType(logical.bitWidth, logical.isSigned);
  if (converted !== undefined && converted in CONVERTED_INTEGERS) {
    return CONVERTED_INTEGERS[converted];
  }
  if (logical?.type === "DATE" || converted === "DATE") return "Date32";
  if (logical?.type === "TIMESTAMP") return `DateTime64(${TIME_DIGITS[logical.unit]})`;
  if (converted === "TIMESTAMP_MILLIS") return "DateTime64(3)";
  if (converted === "TIMESTAMP_MICROS") return "DateTime64(6)";
  switch (element.type) {
    case "BOOLEAN":
      return "Bool";
    case "INT32":
      return "Int32";
    case "INT64":
      return "Int64";
    case "INT96":
      return "DateTime64(9)";
    case "FLOAT":
      return "Float32";
    case "DOUBLE":
      return "Float64";
    case "BYTE_ARRAY":
      return "String";
    case "FIXED_LEN_BYTE_ARRAY":
      return `FixedString(${element.type_length})`;
  }
  return undefined;
}

function isList(element: SchemaElement): boolean {
  return element.logical_type?.type === "LIST" || element.converted_type === "LIST";
}

/** The ClickHouse type of a column's schema node (lists as arrays; OPTIONAL as Nullable). */
function nodeType(node: SchemaTree): string | undefined {
  const { element } = node;
  if (isList(element)) {
    // A LIST group holds one repeated child: a group holding the element (three levels), or
    // the element itself (the older two-level form).
    if (node.children.length !== 1) return undefined;
    const repeated = node.children[0];
    if (repeated.children.length > 1) return undefined;
    const inner = repeated.children.length === 0
      ? primitiveType(repeated.element)
      : nodeType(repeated.children[0]);
    if (inner === undefined) return undefined;
    return `Array(${inner.replace(/^Nullable\((.*)\)$/, "$1")})`;
  }
  if (node.children.length > 0) return undefined;
  return leafType(node);
}

function leafType(node: SchemaTree): string | undefined {
  const type = primitiveType(node.element);
  if (type === undefined) return undefined;
  if (node.element.repetition_type === "REPEATED") return `Array(${type})`;
  return node.element.repetition_type === "OPTIONAL" ? `Nullable(${type})` : type;
}

/**
 * Reads the row count and top-level columns of a Parquet file. A column whose type has no
 * ClickHouse equivalent (a map, a struct) is reported as `Unsupported`; it can only be an
 * extra column, never one of the contract's. Throws DATA_INVALID for bytes that are not
 * Parquet.
 *
 * @example
 * ```ts ignore
 * import { parquetColumns } from "./parquet_columns.ts";
 * const { rows, columns } = parquetColumns(await Deno.readFile("features.parquet"), "features.parquet");
 * ```
 */
export function parquetColumns(bytes: Uint8Array, file: string): ParquetColumns {
  let tree: SchemaTree;
  let rows: bigint;
  try {
    const metadata = parquetMetadata(bytes);
    tree = parquetSchema(metadata);
    rows = metadata.num_rows;
  } catch (error) {
    throw new RiskTrainError(
      "DATA_INVALID",
      `Not a readable Parquet file: ${file} (${error instanceof Error ? error.message : error})`,
      { cause: error },
    );
  }
  return {
    rows: Number(rows),
    columns: tree.children.map((node) => ({
      name: node.element.name,
      type: nodeType(node) ?? "Unsupported",
    })),
  };
}
