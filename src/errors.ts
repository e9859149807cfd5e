/**
 * Typed errors: one base class with a stable `code`, the underlying `cause`, and the
 * ClickHouse error code where there is one. The command line maps `code` to an exit code
 * and prints `message` as one line.
 *
 * @module
 */

/** Stable error codes. Add new ones at the end; never rename one. */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "PERMISSION_MISSING"
  | "CLICKHOUSE_UNREACHABLE"
  | "CLICKHOUSE_AUTH"
  | "CLICKHOUSE_VERSION"
  | "CLICKHOUSE_QUERY"
  | "DATABASE_NOT_FOUND"
  | "TABLE_NOT_FOUND"
  | "CONTRACT_VIOLATION"
  | "NO_DATA"
  | "DATA_INVALID"
  | "LIGHTGBM"
  | "MODEL_NOT_FOUND"
  | "STORAGE"
  | "CANCELLED"
  | "NO_SIGNAL"
  | "WRITE_CONFLICT";

/** Options of {@linkcode RiskTrainError}. */
export interface RiskTrainErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** ClickHouse's own numeric error code (e.g. 81 for UNKNOWN_DATABASE). */
  clickhouseCode?: number;
}

/**
 * The base of every error risktrain raises for a condition a caller is expected to handle.
 *
 * @example
 * ```ts
 * import { RiskTrainError } from "./errors.ts";
 * const error = new RiskTrainError("NO_DATA", "No alerts found for torus");
 * console.assert(error.code === "NO_DATA");
 * ```
 */
export class RiskTrainError extends Error {
  /** Stable, machine-readable code. */
  readonly code: ErrorCode;
  /** ClickHouse's own error code, when ClickHouse raised the underlying error. */
  readonly clickhouseCode?: number;

  /** Creates an error with a stable code and a one-line message. */
  constructor(code: ErrorCode, message: string, options: RiskTrainErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "RiskTrainError";
    this.code = code;
    this.clickhouseCode = options.clickhouseCode;
  }
}

/** Raised when an AbortSignal stops work; the command line exits with 130. */
export class CancelledError extends RiskTrainError {
  /** Creates the error, keeping the abort reason as its cause. */
  constructor(reason?: unknown) {
    super("CANCELLED", "Cancelled", { cause: reason });
    this.name = "CancelledError";
  }
}

/**
 * Throws {@linkcode CancelledError} when the signal has been aborted.
 *
 * @example
 * ```ts
 * import { throwIfAborted } from "./errors.ts";
 * throwIfAborted(new AbortController().signal); // not aborted: returns
 * ```
 */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError(signal.reason);
}
