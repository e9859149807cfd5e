/**
 * Loads one Parquet file into a staging table, converting in ClickHouse SQL as it reads.
 * The embedded engine reads the file where it lies (`file(path, 'Parquet', structure)`); a
 * server receives the file's bytes as the body of `INSERT ... SELECT ... FROM
 * input(structure) FORMAT Parquet` and converts while it parses. Either way the SQL, the
 * casts and the checks are the same, and no row passes through JavaScript.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";
import { ServerClickHouse } from "../clickhouse/server.ts";
import type { ClickHouse, InputTable } from "../types.ts";
import type { FileConversion } from "./file_conversion.ts";
import { sha256 } from "./snapshot_meta.ts";

/** Where a file is staged. */
export interface StageTarget {
  /** The network database. */
  database: string;
  /** The staging table (emptied, or dropped, by the caller). */
  stage: string;
  /** Whether to create it first (else it exists, empty, with the plan's columns). */
  create: boolean;
  /** The input table whose columns it copies. */
  table: InputTable;
}

/**
 * Creates `target.stage` (when `target.create`) with the types of `target.table`'s converted
 * columns and fills it from the file; returns the rows the file added to it. `expectedSha256` is checked again on the bytes a
 * server is sent.
 *
 * @example
 * ```ts ignore
 * import { stageFile } from "./stage_file.ts";
 * const rows = await stageFile(ch, plan, "features.parquet", sha, { database, stage, table });
 * ```
 */
export async function stageFile(
  ch: ClickHouse,
  plan: FileConversion,
  path: string,
  expectedSha256: string | undefined,
  target: StageTarget,
  signal?: AbortSignal,
): Promise<number> {
  const params = { ...plan.params, db: target.database, stage: target.stage, path };
  const columns = plan.columns.join(", ");
  const staged = async () => {
    const counted = await ch.query("SELECT count() AS n FROM {db:Identifier}.{stage:Identifier}", {
      params,
      signal,
    });
    return Number(counted.getChild("n")?.get(0) ?? 0);
  };
  const before = target.create ? 0 : await staged();
  if (target.create) {
    await ch.command(
      "CREATE TABLE {db:Identifier}.{stage:Identifier} ENGINE = MergeTree ORDER BY tuple() " +
        "AS SELECT " + columns + " FROM {db:Identifier}." + target.table + " LIMIT 0",
      { params, signal },
    );
  }
  const select = plan.select.join(", ");
  const where = plan.checks.length > 0 ? " WHERE " + plan.checks.join(" AND ") : "";
  const insert = "INSERT INTO {db:Identifier}.{stage:Identifier} (" + columns + ") SELECT " +
    select + " FROM ";
  const structure = { ...params, structure: plan.structure };
  if (ch instanceof ServerClickHouse) {
    const bytes = await Deno.readFile(path);
    if (expectedSha256 !== undefined && await sha256(bytes) !== expectedSha256) {
      throw new RiskTrainError(
        "DATA_INVALID",
        `Checksum mismatch: ${path} changed while importing`,
      );
    }
    await ch.insertData(
      insert + "input({structure:String})" + where + " FORMAT Parquet",
      bytes,
      { params: structure, signal },
    );
  } else if (ch.kind === "embedded") {
    await ch.command(insert + "file({path:String}, 'Parquet', {structure:String})" + where, {
      params: structure,
      signal,
    });
  } else {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      "The import needs risktrain's embedded engine or ServerClickHouse (another ClickHouse " +
        "implementation cannot be sent files)",
    );
  }
  return await staged() - before;
}
