/**
 * `--version`: the versions of risktrain, its LightGBM build, chDB (the npm binding and the
 * libchdb engine it loaded, without opening a data directory) and Deno.
 *
 * @module
 */
import denoConfig from "../../deno.json" with { type: "json" };
import { LIGHTGBM_VERSION } from "../train/_lightgbm_version.ts";

/** The chDB binding risktrain imports (`npm:chdb@...`). */
export const CHDB_VERSION = "3.4.0";

/**
 * The lines `--version` prints. libchdb's own version needs its native library, loaded
 * only with `--allow-ffi`; without it the line says so.
 *
 * @example
 * ```ts ignore
 * import { versionLines } from "./versions.ts";
 * console.log((await versionLines()).join("\n"));
 * ```
 */
export async function versionLines(): Promise<string[]> {
  let engine = "libchdb not loaded: needs --allow-ffi";
  if ((await Deno.permissions.query({ name: "ffi" })).state === "granted") {
    const chdb = await import("npm:chdb@3.4.0");
    engine = `libchdb ${chdb.version().libchdb.replace(/["\s]/g, "")}`;
  }
  return [
    `risktrain ${denoConfig.version}`,
    `LightGBM ${LIGHTGBM_VERSION} (WebAssembly)`,
    `chDB ${CHDB_VERSION} (${engine})`,
    `Deno ${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
  ];
}
