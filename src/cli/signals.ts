/**
 * SIGINT and SIGTERM as an AbortSignal, so every stage can stop cleanly.
 *
 * @module
 */

/**
 * Returns an AbortController aborted by the first SIGINT or SIGTERM; disposing it removes
 * the listeners.
 *
 * @example
 * ```ts
 * import { abortOnSignals } from "./signals.ts";
 * using abort = abortOnSignals();
 * console.assert(!abort.signal.aborted);
 * ```
 */
export function abortOnSignals(): AbortController & Disposable {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((name) => {
    const handler = () => controller.abort(new Error(`Received ${name}`));
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  return Object.assign(controller, {
    [Symbol.dispose]() {
      for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
    },
  });
}
