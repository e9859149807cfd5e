import assert from "node:assert/strict";
import { parseDotenv } from "../src/cli/dotenv.ts";
import { RiskTrainError } from "../src/errors.ts";

Deno.test("parseDotenv() reads assignments, comments, export and quotes", () => {
  const vars = parseDotenv(
    [
      "# ClickHouse",
      "CLICKHOUSE_URL=http://127.0.0.1:8123",
      "export CLICKHOUSE_USER=analyst",
      "CLICKHOUSE_PASSWORD='p#ss word'",
      'CLICKHOUSE_DATABASE="risk_scoring_torus" ',
      "EMPTY=",
      "",
    ].join("\n"),
  );
  assert.deepEqual(vars, {
    CLICKHOUSE_URL: "http://127.0.0.1:8123",
    CLICKHOUSE_USER: "analyst",
    CLICKHOUSE_PASSWORD: "p#ss word",
    CLICKHOUSE_DATABASE: "risk_scoring_torus",
    EMPTY: "",
  });
});

Deno.test("parseDotenv() rejects a malformed line naming its number", () => {
  assert.throws(
    () => parseDotenv("A=1\nthis is not an assignment\n"),
    (error: unknown) =>
      error instanceof RiskTrainError && error.code === "CONFIG_INVALID" &&
      error.message === "Malformed line 2 in .env: expected KEY=value",
  );
});

Deno.test("parseDotenv() drops a comment after a quoted value (issue 12, failure 7)", () => {
  const vars = parseDotenv(
    [
      'CLICKHOUSE_URL="http://127.0.0.1:8123" # the local server',
      "CLICKHOUSE_USER='analyst'   # read-only user",
      'CLICKHOUSE_PASSWORD="a \\"quoted\\" # not a comment"',
    ].join("\n"),
  );
  assert.deepEqual(vars, {
    CLICKHOUSE_URL: "http://127.0.0.1:8123",
    CLICKHOUSE_USER: "analyst",
    CLICKHOUSE_PASSWORD: 'a "quoted" # not a comment',
  });
});
