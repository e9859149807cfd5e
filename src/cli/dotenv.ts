/**
 * A strict .env reader: `KEY=value` lines, `#` comments, optional `export `, single or
 * double quotes. A malformed line is an error naming its number, never skipped.
 *
 * @module
 */
import { RiskTrainError } from "../errors.ts";

/**
 * Parses the text of a .env file into variables.
 *
 * @example
 * ```ts
 * import { parseDotenv } from "./dotenv.ts";
 * const vars = parseDotenv("CLICKHOUSE_URL=http://127.0.0.1:8123\n# comment\n");
 * console.assert(vars.CLICKHOUSE_URL === "http://127.0.0.1:8123");
 * ```
 */
export function parseDotenv(text: string, source = ".env"): Record<string, string> {
  const vars: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new RiskTrainError(
        "CONFIG_INVALID",
        `Malformed line ${i + 1} in ${source}: expected KEY=value`,
      );
    }
    vars[match[1]] = unquote(match[2]);
  }
  return vars;
}

// A quoted value, then optionally a `# comment`: "a \"b\"" # note, or 'a b' # note.
const DOUBLE_QUOTED = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/;
const SINGLE_QUOTED = /^'([^']*)'\s*(?:#.*)?$/;

function unquote(value: string): string {
  const double = DOUBLE_QUOTED.exec(value);
  if (double) return double[1].replaceAll("\\n", "\n").replaceAll('\\"', '"');
  const single = SINGLE_QUOTED.exec(value);
  if (single) return single[1];
  return value.replace(/\s+#.*$/, "");
}
