/**
 * Aligns raw_features' optional columns with the imported snapshots, so that a column a
 * snapshot lacks is missing (and reported by extract), never filled with zeros.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { RiskTrainError } from "../errors.ts";
import { FEATURE_COLUMNS } from "../contract/contract_columns.ts";
import type { ClickHouse } from "../types.ts";

const logger = getLogger(["risktrain", "import"]);

const BATCHES_SQL = "SELECT DISTINCT toString(processing_date) AS day, window_days " +
  "FROM {db:Identifier}.raw_features";

/** What {@linkcode alignFeatureColumns} changed. */
export interface FeatureColumnChanges {
  /** Optional columns dropped from raw_features (absent from some imported snapshot). */
  dropped: string[];
  /** Optional columns added (present in every imported snapshot). */
  added: string[];
}

/**
 * Makes raw_features hold the optional contract columns present in every imported
 * features file (`present`, one list per file). When the table holds rows of other batches
 * than `batches` (`YYYY-MM-DD/window` keys), their columns cannot change: a column they
 * have and a file lacks is a DATA_INVALID error, and a column a file adds is ignored.
 *
 * @example
 * ```ts ignore
 * import { alignFeatureColumns } from "./feature_columns.ts";
 * await alignFeatureColumns(ch, "risk_scoring_torus", tableColumns, [["degree_in"]], ["2025-12-01/7"]);
 * ```
 */
export async function alignFeatureColumns(
  ch: ClickHouse,
  database: string,
  tableColumns: ReadonlySet<string>,
  present: readonly (readonly string[])[],
  batches: readonly string[],
  signal?: AbortSignal,
): Promise<FeatureColumnChanges> {
  const everywhere = FEATURE_COLUMNS.filter((spec) =>
    present.every((names) => names.includes(spec.name))
  );
  const keep = new Set(everywhere.map((spec) => spec.name));
  const drop = FEATURE_COLUMNS.filter((spec) => tableColumns.has(spec.name) && !keep.has(spec.name))
    .map((spec) => spec.name);
  const add = everywhere.filter((spec) => !tableColumns.has(spec.name));
  if (drop.length === 0 && add.length === 0) return { dropped: [], added: [] };

  const existing = await ch.query(BATCHES_SQL, { params: { db: database }, signal });
  const days = Array.from(existing.getChild("day") ?? [], String);
  const windows = Array.from(existing.getChild("window_days") ?? [], Number);
  const importing = new Set(batches);
  const others = days.map((day, i) => day + "/" + windows[i]).filter((key) => !importing.has(key));
  if (others.length > 0) {
    if (drop.length > 0) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `The snapshots lack raw_features columns that ${database} holds for other batches ` +
          `(${others.slice(0, 3).join(", ")}${others.length > 3 ? ", ..." : ""}): ` +
          `${drop.join(", ")} (import into a fresh database, or drop those columns first)`,
      );
    }
    logger.warn(
      "Columns of the snapshots that raw_features of {database} lacks, not imported: " +
        "{columns}",
      { database, columns: add.map((spec) => spec.name).join(", ") },
    );
    return { dropped: [], added: [] };
  }
  // Names and types are the contract's constants (FEATURE_COLUMNS), never read from a file.
  const alter = [
    ...drop.map((name) => "DROP COLUMN `" + name + "`"),
    ...add.map((spec) => "ADD COLUMN `" + spec.name + "` " + spec.type),
  ];
  await ch.command("ALTER TABLE {db:Identifier}.raw_features " + alter.join(", "), {
    params: { db: database },
    settings: { mutations_sync: 2 },
    signal,
  });
  logger.info(
    "raw_features of {database} now has the snapshots' columns: dropped {dropped}, " +
      "added {added}",
    {
      database,
      dropped: drop.join(", ") || "none",
      added: add.map((spec) => spec.name).join(", ") || "none",
    },
  );
  return { dropped: drop, added: add.map((spec) => spec.name) };
}
