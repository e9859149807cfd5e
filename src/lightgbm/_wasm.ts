/**
 * The one module that touches the LightGBM WebAssembly: loads it (embedded in
 * wasm/lightgbm.mjs, so it needs no permission from a checkout, a URL import or a
 * compiled binary), calls the C API with error checking and manages heap memory.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
// @ts-types="../../wasm/lightgbm.d.mts"
import createLightGBM from "../../wasm/lightgbm.mjs";
import type { LightGBMWasmModule } from "../../wasm/lightgbm.d.mts";
import type {
  LightGBMThreadsModule,
  LightGBMThreadsOptions,
} from "../../wasm/lightgbm_threads.d.mts";
import { RiskTrainError } from "../errors.ts";
import { LightGBMError } from "./lightgbm_error.ts";

const logger = getLogger(["risktrain", "lightgbm"]);

/** C API data type codes. */
export const DTYPE = { float32: 0, float64: 1, int32: 2, int64: 3 } as const;

let loading: Promise<LightGBMWasmModule> | null = null;
let loaded: LightGBMWasmModule | null = null;
let loadedThreads: boolean | null = null;

/** Forwards LightGBM's console output to the log. */
function logLine(text: string): void {
  const match = /^\[LightGBM\] \[(\w+)\] (.*)$/.exec(text);
  if (!match) {
    logger.debug("{text}", { text });
  } else if (match[1] === "Warning") {
    logger.warn("LightGBM: {message}", { message: match[2] });
  } else if (match[1] === "Fatal") {
    logger.error("LightGBM: {message}", { message: match[2] });
  } else {
    logger.debug("LightGBM: {message}", { message: match[2] });
  }
}

/** Options of {@linkcode initLightGBM}. */
export interface InitLightGBMOptions {
  /**
   * Load the multi-threaded build (wasm/lightgbm_threads.mjs: OpenMP over WebAssembly
   * threads), so one training uses `num_threads` cores (default: all of them). Its idle
   * threads keep the process alive until {@linkcode shutdownLightGBM}. Default false.
   */
  threads?: boolean;
}

/** Loads the multi-threaded build on first use (it is not part of every import). */
async function createThreaded(options: LightGBMThreadsOptions): Promise<LightGBMThreadsModule> {
  const { default: create } = await import("../../wasm/lightgbm_threads.mjs") as {
    default: (options: LightGBMThreadsOptions) => Promise<LightGBMThreadsModule>;
  };
  return create(options);
}

/**
 * Instantiates the LightGBM WebAssembly once per JavaScript realm (each worker has its
 * own). Idempotent; the synchronous API requires it to have resolved.
 */
export function initLightGBM(options: InitLightGBMOptions = {}): Promise<void> {
  const threads = options.threads ?? false;
  if (loadedThreads !== null && loadedThreads !== threads) {
    throw new RiskTrainError(
      "LIGHTGBM",
      `LightGBM is already loaded ${loadedThreads ? "multi" : "single"}-threaded: ` +
        "call shutdownLightGBM() before loading the other build",
    );
  }
  loadedThreads = threads;
  const moduleOptions = { print: logLine, printErr: logLine };
  loading ??= (threads ? createThreaded(moduleOptions) : createLightGBM(moduleOptions)).then(
    (module) => {
      loaded = module;
      return module;
    },
  );
  return loading.then(() => undefined);
}

/**
 * Resolves once a LightGBM build is loaded in this realm: the one already loaded (or
 * loading), else the single-threaded one.
 */
export function ensureLightGBM(): Promise<void> {
  return loading ? loading.then(() => undefined) : initLightGBM();
}

/**
 * Stops the threads of the multi-threaded build, so the process can exit, and forgets
 * the loaded module (Datasets and Boosters made with it are unusable afterwards).
 */
export function shutdownLightGBM(): void {
  if (loaded && "terminateAllThreads" in loaded) {
    (loaded as LightGBMThreadsModule).terminateAllThreads();
  }
  loading = null;
  loaded = null;
  loadedThreads = null;
  views = null;
}

/** The loaded module, or a clear error when {@linkcode initLightGBM} has not resolved. */
export function wasm(): LightGBMWasmModule {
  if (!loaded) {
    throw new RiskTrainError(
      "LIGHTGBM",
      "LightGBM is not loaded: await initLightGBM() before using Dataset or Booster",
    );
  }
  return loaded;
}

/** Calls a C API function and throws LightGBMError with LightGBM's message on failure. */
export function call(name: string, ...args: (number | bigint)[]): void {
  const module = wasm();
  const fn = module[`_${name}`];
  if (typeof fn !== "function") {
    throw new RiskTrainError("LIGHTGBM", `LightGBM C API function not exported: ${name}`);
  }
  let rc: number;
  try {
    rc = fn(...args);
  } catch (error) {
    throw new LightGBMError(name, `WebAssembly trap: ${String(error)}`);
  }
  if (rc !== 0) {
    const message = module.UTF8ToString(module._LGBM_GetLastError() >>> 0);
    throw new LightGBMError(name, message);
  }
}

/** Typed views of the WebAssembly heap. */
export interface HeapViews {
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f32: Float32Array;
  f64: Float64Array;
  i64: BigInt64Array;
}

/** The current heap views (re-created when the memory has grown). */
export function heap(): HeapViews {
  const buffer = wasm().HEAPU8.buffer as ArrayBuffer;
  if (views?.buffer !== buffer) {
    views = {
      buffer,
      u8: new Uint8Array(buffer),
      i32: new Int32Array(buffer),
      u32: new Uint32Array(buffer),
      f32: new Float32Array(buffer),
      f64: new Float64Array(buffer),
      i64: new BigInt64Array(buffer),
    };
  }
  return views;
}
let views: (HeapViews & { buffer: ArrayBuffer }) | null = null;

/** The program break: grows only when malloc needs more heap (used to detect leaks). */
export function heapBreak(): number {
  return wasm()._sbrk(0) >>> 0;
}

/** Size of the WebAssembly memory in bytes. */
export function memoryBytes(): number {
  return wasm().HEAPU8.buffer.byteLength;
}

/**
 * Heap allocations freed together when the scope is disposed:
 * `using scope = new HeapScope();`.
 */
export class HeapScope implements Disposable {
  readonly #pointers: number[] = [];

  /** Allocates `bytes` bytes (8-byte aligned by malloc). */
  alloc(bytes: number): number {
    const pointer = wasm()._malloc(Math.max(bytes, 8)) >>> 0;
    if (pointer === 0) {
      throw new RiskTrainError(
        "LIGHTGBM",
        `WebAssembly heap exhausted allocating ${bytes} bytes (4 GiB maximum)`,
      );
    }
    this.#pointers.push(pointer);
    return pointer;
  }

  /** Copies a NUL-terminated UTF-8 string into the heap. */
  string(text: string): number {
    const module = wasm();
    const length = module.lengthBytesUTF8(text) + 1;
    const pointer = this.alloc(length);
    module.stringToUTF8(text, pointer, length);
    return pointer;
  }

  /** Copies a typed array into the heap. */
  copy(values: Float32Array | Float64Array | Int32Array | Uint32Array): number {
    const pointer = this.alloc(values.byteLength);
    heap().u8.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), pointer);
    return pointer;
  }

  /** An array of pointers to NUL-terminated copies of `texts` (a `const char**`). */
  strings(texts: readonly string[]): number {
    const array = this.alloc(texts.length * 4);
    const pointers = texts.map((text) => this.string(text));
    heap().u32.set(pointers, array >>> 2);
    return array;
  }

  /** Frees everything allocated in this scope. */
  [Symbol.dispose](): void {
    const module = wasm();
    for (const pointer of this.#pointers) module._free(pointer);
    this.#pointers.length = 0;
  }
}

/**
 * Reads a list of strings through a `(len, *out_len, buffer_len, *out_buffer_len, char**)`
 * C API getter, growing the buffers when LightGBM reports they were too small.
 */
export function readStrings(
  name: string,
  handle: number,
  count: number,
): string[] {
  let bufferLength = 256;
  for (;;) {
    using scope = new HeapScope();
    const outLength = scope.alloc(4);
    const outBufferLength = scope.alloc(4);
    const array = scope.alloc(Math.max(count, 1) * 4);
    const pointers: number[] = [];
    for (let i = 0; i < count; i++) pointers.push(scope.alloc(bufferLength));
    heap().u32.set(pointers, array >>> 2);
    call(name, handle, count, outLength, bufferLength, outBufferLength, array);
    const needed = heap().u32[outBufferLength >>> 2];
    const n = heap().i32[outLength >>> 2];
    if (needed > bufferLength) {
      bufferLength = needed;
      continue;
    }
    const module = wasm();
    return pointers.slice(0, n).map((pointer) => module.UTF8ToString(pointer));
  }
}
