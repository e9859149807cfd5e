/**
 * `checkRegistry`: compares an output directory's model files (the truth) with the
 * `trained_models` rows that point into it (an index), and repairs the index.
 *
 * @module
 */
import { basename, join } from "node:path";
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import type { ClickHouse } from "../types.ts";
import { DEFAULT_OUTPUT_DIR, inspectModels } from "./registry.ts";
import {
  directoryTag,
  registerModel,
  registryModelId,
  type RegistryRow,
  registryRows,
} from "./registry_row.ts";

const logger = getLogger(["risktrain", "storage"]);

/** What can disagree between the files and the table. */
export type RegistryProblemKind =
  | "broken-model"
  | "missing-row"
  | "stale-id"
  | "duplicate-row"
  | "orphan-row";

/** One disagreement, and whether it was repaired. */
export interface RegistryProblem {
  /** What is wrong. */
  kind: RegistryProblemKind;
  /** The file (metadata) or the row's model path concerned. */
  path: string;
  /** One line saying what is wrong (and what the repair does). */
  detail: string;
  /** The database of the row concerned (none for a broken model file). */
  database?: string;
  /** Whether `repair` fixed it (a broken model file is never repaired: retrain it). */
  repaired: boolean;
}

/** Options of {@linkcode checkRegistry}. */
export interface CheckRegistryOptions {
  /** The output directory (default `trained_models`). */
  outputDir?: string;
  /** A database to check besides those named by the models' metadata. */
  database?: string;
  /** Repair the table: insert missing rows, fix ids, remove duplicate and orphan rows. */
  repair?: boolean;
  /** Cancels between statements. */
  signal?: AbortSignal;
}

const MUTATION = { settings: { mutations_sync: 2 } };

/**
 * Lists every disagreement between the models of `outputDir` and the `trained_models`
 * rows pointing into it, in each database the models came from: a broken model (metadata
 * or checksum), an intact model without a row, a row whose model_id is not the model's
 * (including ids from before they named the directory), several rows for one model, and a
 * row whose model is missing or broken. With `repair`, fixes the table (files are never
 * changed).
 *
 * @example
 * ```ts ignore
 * const problems = await checkRegistry(ch, { outputDir: "trained_models", repair: true });
 * ```
 */
export async function checkRegistry(
  ch: ClickHouse,
  options: CheckRegistryOptions = {},
): Promise<RegistryProblem[]> {
  const outputDir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
  const { repair = false, signal } = options;
  const { intact, broken } = await inspectModels(outputDir);
  const realDir = await Deno.realPath(outputDir);
  const tag = await directoryTag(realDir);
  const problems: RegistryProblem[] = broken.map((b) => ({
    kind: "broken-model" as const,
    path: b.metadataPath,
    detail: `${b.reason} (retrain it or remove its files)`,
    repaired: false,
  }));
  const databases = new Set<string>();
  if (options.database) databases.add(options.database);
  for (const model of intact) databases.add(model.metadata.database);
  for (const model of broken) if (model.metadata) databases.add(model.metadata.database);

  for (const database of [...databases].sort()) {
    const rows = await registryRows(ch, database, { realDir, signal });
    const byPath = new Map<string, RegistryRow[]>();
    for (const row of rows) byPath.set(row.modelPath, [...(byPath.get(row.modelPath) ?? []), row]);
    const add = (problem: Omit<RegistryProblem, "repaired" | "database">) => {
      const entry = { ...problem, database, repaired: false };
      problems.push(entry);
      return entry;
    };
    for (const model of intact.filter((m) => m.metadata.database === database)) {
      const path = join(realDir, basename(model.modelPath));
      const id = registryModelId(model.metadata, tag);
      const found = byPath.get(path) ?? [];
      byPath.delete(path);
      if (found.length === 0) {
        const problem = add({
          kind: "missing-row",
          path,
          detail: `No ${database}.trained_models row for ${id} (inserted on repair)`,
        });
        if (repair) {
          await registerModel(ch, database, { ...model.metadata, model_id: id }, path, { signal });
          problem.repaired = true;
        }
        continue;
      }
      if (found.length > 1) {
        const problem = add({
          kind: "duplicate-row",
          path,
          detail: `${found.length} rows for ${id} in ${database}.trained_models (one kept)`,
        });
        if (repair) {
          await deleteRows(ch, database, path, signal);
          await registerModel(ch, database, { ...model.metadata, model_id: id }, path, { signal });
          problem.repaired = true;
        }
        continue;
      }
      if (found[0].modelId !== id) {
        const problem = add({
          kind: "stale-id",
          path,
          detail: `The row's model_id is ${
            found[0].modelId
          }, the model's ${id} (updated on repair)`,
        });
        if (repair) {
          await ch.command(
            "ALTER TABLE {db:Identifier}.trained_models UPDATE model_id = {id:String} " +
              "WHERE model_path = {path:String}",
            { params: { db: database, id, path }, signal, ...MUTATION },
          );
          problem.repaired = true;
        }
      }
    }
    for (const [path, found] of byPath) {
      const problem = add({
        kind: "orphan-row",
        path,
        detail: `${database}.trained_models has ${
          found.map((r) => r.modelId).join(", ")
        } but the model is missing or broken (row removed on repair)`,
      });
      if (repair) {
        await deleteRows(ch, database, path, signal);
        problem.repaired = true;
      }
    }
  }
  for (const p of problems) {
    logger.debug("Registry {kind} {path}: {detail}", { ...p });
  }
  return problems;
}

async function deleteRows(
  ch: ClickHouse,
  database: string,
  path: string,
  signal?: AbortSignal,
): Promise<void> {
  await ch.command(
    "ALTER TABLE {db:Identifier}.trained_models DELETE WHERE model_path = {path:String}",
    { params: { db: database, path }, signal, ...MUTATION },
  );
}
