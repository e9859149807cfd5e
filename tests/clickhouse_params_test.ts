import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { bindParams, declaredParamTypes } from "../src/clickhouse/query_params.ts";
import type { ClickHouse, QueryParamValue } from "../src/types.ts";
import { startChdbHttpServer } from "./support/chdb_http_harness.ts";

const HOSTILE = "x'); DROP TABLE canary; --";
const NASTY = `${HOSTILE} \\ \\' \\N \t tab \n newline \r {y:String} ? $1 \u00e9\u4e2d`;

/** One value of every kind, the type it binds to, and what ClickHouse must see. */
const SCALARS: readonly [string, string, QueryParamValue, string][] = [
  ["a hostile String", "String", NASTY, `toString({v:String})`],
  ["a hostile Nullable(String)", "Nullable(String)", HOSTILE, `toString({v:Nullable(String)})`],
  [
    "a hostile LowCardinality(String)",
    "LowCardinality(String)",
    HOSTILE,
    "toString({v:LowCardinality(String)})",
  ],
  ["a Date object as Date", "Date", new Date("2024-02-29T00:00:00Z"), "toString({v:Date})"],
  ["a Date object as Date32", "Date32", new Date("1905-06-07T00:00:00Z"), "toString({v:Date32})"],
  ["a Date text as Date", "Date", "2024-05-01", "toString({v:Date})"],
  [
    "a Date object as DateTime",
    "DateTime",
    new Date("2024-03-04T05:06:07Z"),
    "toString(toUnixTimestamp({v:DateTime}))",
  ],
  [
    "a Date object as DateTime64(3)",
    "DateTime64(3)",
    new Date("2024-03-04T05:06:07.089Z"),
    "toString(toUnixTimestamp64Milli({v:DateTime64(3)}))",
  ],
  ["a bigint as UInt64", "UInt64", 18_446_744_073_709_551_615n, "toString({v:UInt64})"],
  ["a negative bigint as Int64", "Int64", -9_223_372_036_854_775_808n, "toString({v:Int64})"],
  ["a number as Float64", "Float64", -0.125, "toString({v:Float64})"],
  ["NaN as Float64", "Float64", Number.NaN, "toString({v:Float64})"],
  ["true as Bool", "Bool", true, "toString({v:Bool})"],
  ["false as UInt8", "UInt8", false, "toString({v:UInt8})"],
  [
    "a hostile Array(String)",
    "Array(String)",
    [HOSTILE, "b\\'c", "", "]"],
    "toString({v:Array(String)})",
  ],
  ["Date objects as Array(Date)", "Array(Date)", [
    new Date("2024-01-01T00:00:00Z"),
    new Date("2024-12-31T00:00:00Z"),
  ], "toString({v:Array(Date)})"],
  ["nested arrays", "Array(Array(Int32))", [[1, -2], [], [3]], "toString({v:Array(Array(Int32))})"],
];

const EXPECTED: Record<string, string> = {
  "a hostile String": NASTY,
  "a hostile Nullable(String)": HOSTILE,
  "a hostile LowCardinality(String)": HOSTILE,
  "a Date object as Date": "2024-02-29",
  "a Date object as Date32": "1905-06-07",
  "a Date text as Date": "2024-05-01",
  "a Date object as DateTime": String(Date.UTC(2024, 2, 4, 5, 6, 7) / 1000),
  "a Date object as DateTime64(3)": String(Date.UTC(2024, 2, 4, 5, 6, 7, 89)),
  "a bigint as UInt64": "18446744073709551615",
  "a negative bigint as Int64": "-9223372036854775808",
  "a number as Float64": "-0.125",
  "NaN as Float64": "nan",
  "true as Bool": "true",
  "false as UInt8": "0",
  "a hostile Array(String)": "['x\\'); DROP TABLE canary; --','b\\\\\\'c','',']']",
  "Date objects as Array(Date)": "['2024-01-01','2024-12-31']",
  "nested arrays": "[[1,-2],[],[3]]",
};

async function scalar(clickhouse: ClickHouse, expression: string, value: QueryParamValue) {
  const table = await clickhouse.query("SELECT " + expression + " AS v", { params: { v: value } });
  assert.equal(table.numRows, 1);
  return table.getChild("v")!.get(0);
}

async function bindsSafely(t: Deno.TestContext, clickhouse: ClickHouse): Promise<void> {
  await clickhouse.command("CREATE TABLE IF NOT EXISTS canary (name String) ENGINE = Memory");
  await clickhouse.command("INSERT INTO canary VALUES ('alive')");

  for (const [name, , value, expression] of SCALARS) {
    await t.step(`${clickhouse.kind}: ${name} stays data`, async () => {
      assert.equal(await scalar(clickhouse, expression, value), EXPECTED[name]);
    });
  }

  await t.step(`${clickhouse.kind}: a hostile value in WHERE matches nothing`, async () => {
    const table = await clickhouse.query(
      "SELECT count() AS n FROM canary WHERE name = {name:String} OR name IN {names:Array(String)}",
      { params: { name: HOSTILE, names: [HOSTILE, "' OR 1=1 --"] } },
    );
    assert.equal(table.getChild("n")!.get(0), 0n);
  });

  await t.step(
    `${clickhouse.kind}: identifiers with backticks and dots name one object`,
    async () => {
      const database = "risk`db.one";
      const table = "x`); DROP TABLE canary; --.t";
      await clickhouse.command("CREATE DATABASE {database:Identifier}", { params: { database } });
      await clickhouse.command(
        // A column definition takes no parameter: ClickHouse's grammar wants a name there.
        "CREATE TABLE {database:Identifier}.{table:Identifier} (`a``b.c` String) " +
          "ENGINE = Memory",
        { params: { database, table } },
      );
      await clickhouse.insert(table, [{ "a`b.c": HOSTILE }], { database });
      const rows = await clickhouse.query(
        "SELECT {column:Identifier} AS v FROM {database:Identifier}.{table:Identifier}",
        { params: { database, table, column: "a`b.c" } },
      );
      assert.deepEqual([...rows.getChild("v")!], [HOSTILE]);
      const tables = await clickhouse.query(
        "SELECT name FROM system.tables WHERE database = {database:String}",
        { params: { database } },
      );
      assert.deepEqual([...tables.getChild("name")!], [table]);
      await clickhouse.command("DROP DATABASE {database:Identifier}", { params: { database } });
    },
  );

  await t.step(`${clickhouse.kind}: the canary table survived every value`, async () => {
    const table = await clickhouse.query("SELECT name FROM canary");
    assert.deepEqual([...table.getChild("name")!], ["alive"]);
  });
}

Deno.test("bindParams() converts values by the declared placeholder type", () => {
  const sql = "SELECT {d:Date}, {t:DateTime('UTC')}, {m:Nullable(DateTime64(3, 'UTC'))}, " +
    "{b:Bool}, {u:UInt8}, {a:Array(LowCardinality(Date32))}, {f:Float32}";
  assert.deepEqual(Object.fromEntries(declaredParamTypes(sql)), {
    d: "Date",
    t: "DateTime('UTC')",
    m: "Nullable(DateTime64(3, 'UTC'))",
    b: "Bool",
    u: "UInt8",
    a: "Array(LowCardinality(Date32))",
    f: "Float32",
  });
  const when = new Date("2024-05-06T07:08:09.250Z");
  const day = new Date("2024-05-06T00:00:00Z");
  assert.deepEqual(
    bindParams(sql, {
      d: day,
      t: new Date("2024-05-06T07:08:09Z"),
      m: when,
      b: true,
      u: true,
      a: [day],
      f: Number.NEGATIVE_INFINITY,
    }),
    {
      d: "2024-05-06",
      t: "1714979289",
      m: "1714979289.250",
      b: true,
      u: 1,
      a: ["2024-05-06"],
      f: "-inf",
    },
  );
});

Deno.test("bindParams() refuses values its placeholder cannot take", () => {
  const cases: [string, Record<string, QueryParamValue>, RegExp][] = [
    ["SELECT {v:String}", { v: new Date() }, /needs a Date, Date32, DateTime or DateTime64/],
    ["SELECT 1", { v: new Date() }, /not in the query/],
    ["SELECT {v:Date}", { v: new Date("nope") }, /Invalid Date/],
    ["SELECT {v:DateTime}", { v: new Date(1_500) }, /milliseconds/],
    ["SELECT {v:Date}", { v: new Date("2024-01-01T12:00:00Z") }, /time of day/],
    ["SELECT {v:Int64}", { v: 2 ** 60 }, /beyond 2\^53/],
    ["SELECT {v:Int64}", { v: Number.NaN }, /Non-finite/],
    ["SELECT {v:String}", { v: ["a"] }, /Array\(\.\.\.\) placeholder/],
  ];
  for (const [sql, params, message] of cases) {
    assert.throws(() => bindParams(sql, params), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parameters bind safely on the embedded engine", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "risktrain-params-test-" });
  try {
    await using clickhouse = await openClickHouse({ dataDir });
    await bindsSafely(t, clickhouse);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("parameters bind safely on the server engine", async (t) => {
  await using server = await startChdbHttpServer();
  await using clickhouse = await openClickHouse({ url: server.url });
  await bindsSafely(t, clickhouse);
});
