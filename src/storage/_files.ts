/**
 * Durable file operations: write to a temporary name in the same directory and fsync,
 * rename into place, fsync the directory.
 *
 * @module
 */
import { join } from "node:path";
import { RiskTrainError } from "../errors.ts";

/** A file written under a temporary name and synced, waiting to be renamed into place. */
export interface StagedFile {
  /** The temporary path. */
  temp: string;
  /** The final path. */
  path: string;
}

function storageError(what: string, path: string, error: unknown): RiskTrainError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RiskTrainError("STORAGE", `Cannot ${what}: ${path} (${reason})`, { cause: error });
}

/** Writes `data` to a hidden temporary file beside `path` and fsyncs it. */
export async function stageFile(path: string, data: Uint8Array): Promise<StagedFile> {
  const slash = path.lastIndexOf("/");
  const temp = join(
    path.slice(0, slash + 1),
    `.${path.slice(slash + 1)}.${crypto.randomUUID()}.tmp`,
  );
  try {
    using file = await Deno.open(temp, { write: true, createNew: true });
    for (let written = 0; written < data.length;) {
      written += await file.write(data.subarray(written));
    }
    await file.sync();
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw storageError("write", temp, error);
  }
  return { temp, path };
}

/** Renames staged files into place in order, then fsyncs their directory. */
export async function commitFiles(dir: string, files: readonly StagedFile[]): Promise<void> {
  for (const { temp, path } of files) {
    try {
      await Deno.rename(temp, path);
    } catch (error) {
      throw storageError("rename into place", path, error);
    }
  }
  await syncDir(dir);
}

/** Removes staged files that were not committed (ignoring ones already gone). */
export async function discardFiles(files: readonly StagedFile[]): Promise<void> {
  for (const { temp } of files) await Deno.remove(temp).catch(() => {});
}

/** Fsyncs a directory so that renames and creations in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch (error) {
    throw storageError("sync directory", dir, error);
  }
}
