/**
 * The output directory made safe to write: created when missing, and refused when its
 * real path (symbolic links followed) leaves the directory writes are allowed in.
 *
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import { RiskTrainError } from "../errors.ts";

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
async function realPathOrPlanned(path: string): Promise<string> {
  const absolute = resolve(path);
  let existing = absolute;
  for (;;) {
    try {
      const real = await Deno.realPath(existing);
      return resolve(real, relative(existing, absolute));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      const parent = dirname(existing);
      if (parent === existing) return absolute;
      existing = parent;
    }
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}

function outside(what: string, path: string, real: string, allowedDir: string): RiskTrainError {
  return new RiskTrainError(
    "STORAGE",
    `Refusing to write outside ${allowedDir}: ${what} ${path} resolves to ${real} ` +
      "(a symbolic link leads out of it)",
  );
}

/**
 * Creates `outputDir` when missing and returns its real path, after checking that it and
 * any `entries` in it that exist (lock files, the claims directory) resolve inside
 * `allowedDir` (default `outputDir` itself), and that the entries are no symbolic links.
 *
 * @example
 * ```ts ignore
 * const real = await prepareOutputDir("trained_models", { allowedDir: "trained_models" });
 * ```
 */
export async function prepareOutputDir(
  outputDir: string,
  options: { allowedDir?: string; entries?: readonly string[] } = {},
): Promise<string> {
  const allowedDir = options.allowedDir ?? outputDir;
  const root = await realPathOrPlanned(allowedDir);
  const planned = await realPathOrPlanned(outputDir);
  if (!isInside(planned, root)) {
    throw outside("the output directory", outputDir, planned, allowedDir);
  }
  try {
    await Deno.mkdir(outputDir, { recursive: true });
  } catch (error) {
    throw new RiskTrainError(
      error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
        ? "PERMISSION_MISSING"
        : "STORAGE",
      `Cannot create the output directory: ${outputDir} (${
        error instanceof Error ? error.message : String(error)
      })`,
      { cause: error },
    );
  }
  const real = await Deno.realPath(outputDir);
  if (!isInside(real, root)) throw outside("the output directory", outputDir, real, allowedDir);
  for (const entry of options.entries ?? []) {
    const path = resolve(real, entry);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    if (info.isSymlink) {
      const target = await Deno.realPath(path).catch(() => "a missing target");
      throw outside("the entry", `${outputDir}/${entry}`, target, allowedDir);
    }
  }
  return real;
}
