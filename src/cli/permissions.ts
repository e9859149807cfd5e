/**
 * Checks, at start, that the process holds the permissions a command needs, and names the
 * exact flag that is missing. Deno would otherwise fail (or prompt) midway.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";

/** What a command needs. Paths are as the user gave them; hosts are `host:port`. */
export interface PermissionNeeds {
  /** Directories written to. */
  write?: readonly string[];
  /** Files or directories read. */
  read?: readonly string[];
  /** Hosts connected to, `host:port`. */
  net?: readonly string[];
  /** Environment variables read. */
  env?: readonly string[];
  /** Whether native code is loaded (the embedded engine). */
  ffi?: boolean;
}

/**
 * Lists the permission flags missing for `needs`, e.g. `--allow-write=trained_models`.
 *
 * @example
 * ```ts
 * import { missingPermissions } from "./permissions.ts";
 * const missing = await missingPermissions({ env: ["HOME"] });
 * console.assert(Array.isArray(missing));
 * ```
 */
export async function missingPermissions(needs: PermissionNeeds): Promise<string[]> {
  const missing: string[] = [];
  const check = async (descriptor: Deno.PermissionDescriptor, flag: string) => {
    const status = await Deno.permissions.query(descriptor);
    if (status.state !== "granted") missing.push(flag);
  };
  for (const path of needs.write ?? []) {
    await check({ name: "write", path }, `--allow-write=${path}`);
  }
  for (const path of needs.read ?? []) await check({ name: "read", path }, `--allow-read=${path}`);
  for (const host of needs.net ?? []) await check({ name: "net", host }, `--allow-net=${host}`);
  for (const variable of needs.env ?? []) {
    await check({ name: "env", variable }, `--allow-env=${variable}`);
  }
  if (needs.ffi) await check({ name: "ffi" }, "--allow-ffi");
  return missing;
}

/**
 * Throws a PERMISSION_MISSING error naming every missing flag.
 *
 * @example
 * ```ts
 * import { requirePermissions } from "./permissions.ts";
 * await requirePermissions({}); // nothing needed: returns
 * ```
 */
export async function requirePermissions(needs: PermissionNeeds, why = ""): Promise<void> {
  const missing = await missingPermissions(needs);
  if (missing.length > 0) {
    throw new RiskTrainError(
      "PERMISSION_MISSING",
      `Missing permission${missing.length > 1 ? "s" : ""}${why ? ` ${why}` : ""}: run with ${
        missing.join(" ")
      }`,
    );
  }
}

/**
 * The `host:port` of a URL, with the scheme's default port, as `--allow-net` wants it.
 *
 * @example
 * ```ts
 * import { hostOf } from "./permissions.ts";
 * console.assert(hostOf("https://ch.example.com") === "ch.example.com:443");
 * ```
 */
export function hostOf(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${parsed.hostname}:${port}`;
}
