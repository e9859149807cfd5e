import assert from "node:assert/strict";
import { tableFromArrays } from "npm:apache-arrow@21.2.0";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { CancelledError, RiskTrainError } from "../src/errors.ts";
import type { QueryProgress } from "../src/types.ts";

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  clickhouseCode?: number,
): Promise<RiskTrainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RiskTrainError, `expected a RiskTrainError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (clickhouseCode !== undefined) assert.equal(error.clickhouseCode, clickhouseCode);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const TABLE_DDL = `CREATE TABLE {db:Identifier}.{table:Identifier} (
  id UInt64,
  name String,
  amount Float64,
  seen DateTime('UTC'),
  day Date DEFAULT '2020-02-02',
  tags Array(String),
  note Nullable(String),
  doubled UInt64 MATERIALIZED id * 2
) ENGINE = MergeTree ORDER BY id`;

Deno.test("EmbeddedClickHouse on a chDB data directory", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "risktrain-embedded-test-" });
  const clickhouse = await openClickHouse({ dataDir });
  try {
    await t.step("openClickHouse() without a URL opens the embedded engine", async () => {
      assert.ok(clickhouse instanceof EmbeddedClickHouse);
      assert.equal(clickhouse.kind, "embedded");
      assert.match(await clickhouse.version(), /^2[6-9]\.\d+\.\d+/);
    });

    await t.step("query() returns ClickHouse types as Arrow types", async () => {
      const table = await clickhouse.query(
        `SELECT toUInt64(number) AS n, toString(number) AS s, toFloat64(number) / 2 AS f,
           toDate('2024-01-01') + number AS d, [toString(number), 'x'] AS a,
           if(number = 1, NULL, toString(number)) AS maybe
         FROM numbers({rows:UInt32}) ORDER BY n`,
        { params: { rows: 3 } },
      );
      assert.equal(table.numRows, 3);
      assert.deepEqual(
        table.schema.fields.map((field) => [field.name, String(field.type), field.nullable]),
        [
          ["n", "Uint64", false],
          ["s", "Utf8", false],
          ["f", "Float64", false],
          ["d", "Date32<DAY>", false],
          ["a", "List<Utf8>", false],
          ["maybe", "Utf8", true],
        ],
      );
      assert.deepEqual([...table.getChild("n")!], [0n, 1n, 2n]);
      assert.deepEqual([...table.getChild("s")!], ["0", "1", "2"]);
      assert.deepEqual([...table.getChild("f")!], [0, 0.5, 1]);
      assert.deepEqual([...table.getChild("maybe")!], ["0", null, "2"]);
      assert.deepEqual([...table.getChild("a")!.get(2)!], ["2", "x"]);
      assert.equal(table.getChild("d")!.get(1), Date.UTC(2024, 0, 2));
    });

    await t.step("query() of an empty result keeps the schema", async () => {
      const table = await clickhouse.query("SELECT number AS n, 'a' AS s FROM numbers(0)");
      assert.equal(table.numRows, 0);
      assert.deepEqual(table.schema.fields.map((field) => field.name), ["n", "s"]);
    });

    await t.step("stream() yields one batch per block and reports progress", async () => {
      const progress: QueryProgress[] = [];
      const sizes: number[] = [];
      let sum = 0n;
      for await (
        const batch of clickhouse.stream("SELECT number AS n FROM numbers({rows:UInt64})", {
          params: { rows: 25_000n },
          settings: { max_block_size: 10_000 },
          onProgress: (p) => progress.push(p),
        })
      ) {
        sizes.push(batch.numRows);
        for (const value of batch.getChild("n")!) sum += value as bigint;
      }
      assert.deepEqual(sizes, [10_000, 10_000, 5_000]);
      assert.equal(sum, 24_999n * 25_000n / 2n);
      assert.deepEqual(progress.map((p) => p.rows), [10_000, 20_000, 25_000]);
      assert.ok(progress.every((p, i) => p.bytes > (i === 0 ? 0 : progress[i - 1].bytes)));
      assert.ok(progress[2].bytes >= 25_000 * 8, "an UInt64 column is at least 8 bytes a row");
    });

    await t.step("statement settings reach ClickHouse", async () => {
      const table = await clickhouse.query("SELECT getSetting('max_threads') AS threads", {
        settings: { max_threads: 3 },
      });
      assert.equal(Number(table.getChild("threads")!.get(0)), 3);
      await assert.rejects(
        clickhouse.query("SELECT 1", { settings: { "max_threads = 1, x": 1 } }),
        TypeError,
      );
    });

    await t.step("command() creates databases and tables named by Identifier", async () => {
      await clickhouse.command("CREATE DATABASE {db:Identifier}", { params: { db: "risk.db`1" } });
      await clickhouse.command(TABLE_DDL, { params: { db: "risk.db`1", table: "alerts" } });
      const columns = await clickhouse.query(
        "SELECT name FROM system.columns WHERE database = {db:String} AND table = 'alerts'",
        { params: { db: "risk.db`1" } },
      );
      assert.equal(columns.numRows, 8);
    });

    await t.step("insert() of an Arrow table matches columns by name", async () => {
      const data = tableFromArrays({
        name: ["a", "b'); DROP TABLE alerts; --"],
        id: BigUint64Array.of(1n, 2n),
        amount: Float64Array.of(1.5, Number.NaN),
        seen: Uint32Array.of(1_700_000_000, 0),
      });
      await clickhouse.insert("alerts", data, { database: "risk.db`1" });
      const table = await clickhouse.query(
        "SELECT id, name, amount, seen, day, doubled FROM {db:Identifier}.alerts ORDER BY id",
        { params: { db: "risk.db`1" } },
      );
      assert.deepEqual([...table.getChild("name")!], ["a", "b'); DROP TABLE alerts; --"]);
      assert.equal(table.getChild("amount")!.get(0), 1.5);
      assert.ok(Number.isNaN(table.getChild("amount")!.get(1)));
      assert.deepEqual([...table.getChild("seen")!], [1_700_000_000, 0]);
      assert.deepEqual([...table.getChild("day")!], [
        Date.UTC(2020, 1, 2),
        Date.UTC(2020, 1, 2),
      ]);
      assert.deepEqual([...table.getChild("doubled")!], [2n, 4n]);
    });

    await t.step("insert() of rows writes JSONEachRow with defaults for omitted keys", async () => {
      await clickhouse.insert("alerts", [
        {
          id: 18_446_744_073_709_551_615n,
          name: "quote ' backslash \\ tab \t",
          seen: new Date("2024-03-04T05:06:07Z"),
          tags: ["x", "y"],
          note: null,
        },
        { id: 3, name: "c", amount: 2.25, day: "2024-02-29", note: "n" },
      ], { database: "risk.db`1" });
      const table = await clickhouse.query(
        "SELECT id, name, amount, seen, day, tags, note FROM {db:Identifier}.alerts " +
          "WHERE id > 2 ORDER BY id",
        { params: { db: "risk.db`1" } },
      );
      assert.deepEqual([...table.getChild("id")!], [3n, 18_446_744_073_709_551_615n]);
      assert.deepEqual([...table.getChild("name")!], ["c", "quote ' backslash \\ tab \t"]);
      assert.deepEqual([...table.getChild("amount")!], [2.25, 0]);
      assert.deepEqual([...table.getChild("seen")!], [0, Date.UTC(2024, 2, 4, 5, 6, 7) / 1000]);
      assert.deepEqual([...table.getChild("day")!], [Date.UTC(2024, 1, 29), Date.UTC(2020, 1, 2)]);
      assert.deepEqual([...table.getChild("tags")!.get(1)!], ["x", "y"]);
      assert.deepEqual([...table.getChild("note")!], ["n", null]);
    });

    await t.step("insert() refuses columns the table cannot take", async () => {
      const unknown = await rejectsWith(
        clickhouse.insert("alerts", [{ id: 9, colour: "red" }], { database: "risk.db`1" }),
        "DATA_INVALID",
      );
      assert.match(unknown.message, /colour/);
      await rejectsWith(
        clickhouse.insert("alerts", [{ id: 9, doubled: 18 }], { database: "risk.db`1" }),
        "DATA_INVALID",
      );
      await rejectsWith(
        clickhouse.insert("nope", [{ id: 9 }], { database: "risk.db`1" }),
        "TABLE_NOT_FOUND",
      );
      await rejectsWith(
        clickhouse.insert("alerts", [{ id: 9 }], { database: "nope" }),
        "DATABASE_NOT_FOUND",
      );
      await assert.rejects(
        clickhouse.insert("alerts", [{ id: Number.POSITIVE_INFINITY }], {
          database: "risk.db`1",
        }),
        TypeError,
      );
    });

    await t.step("ClickHouse errors keep ClickHouse's code", async () => {
      await rejectsWith(clickhouse.query("SELECT * FROM nope.t"), "DATABASE_NOT_FOUND", 81);
      await rejectsWith(clickhouse.query("SELECT * FROM nope_t"), "TABLE_NOT_FOUND", 60);
      await rejectsWith(clickhouse.command("DROP TABLE nope_t"), "TABLE_NOT_FOUND", 60);
      const syntax = await rejectsWith(clickhouse.query("SELEC 1"), "CLICKHOUSE_QUERY", 62);
      assert.match(syntax.message, /^ClickHouse error 62: Syntax error/);
      await rejectsWith(
        clickhouse.query("SELECT {missing:String}"),
        "CLICKHOUSE_QUERY",
        456,
      );
    });

    await t.step("an error after the first blocks keeps its code", async () => {
      let batches = 0;
      await assert.rejects(
        (async () => {
          for await (
            const _ of clickhouse.stream(
              "SELECT number, throwIf(number = 50000) AS boom FROM numbers(100000)",
              { settings: { max_block_size: 1000 } },
            )
          ) batches++;
        })(),
        (error: unknown) => error instanceof RiskTrainError && error.clickhouseCode === 395,
      );
      assert.ok(batches > 0, "the first blocks arrived before the error");
    });

    await t.step("an aborted stream stops with CancelledError", async () => {
      const controller = new AbortController();
      let batches = 0;
      await assert.rejects(
        (async () => {
          for await (
            const _ of clickhouse.stream("SELECT number FROM numbers(100000000)", {
              signal: controller.signal,
              settings: { max_block_size: 1000 },
            })
          ) {
            batches++;
            if (batches === 2) controller.abort(new Error("enough"));
          }
        })(),
        CancelledError,
      );
      assert.equal(batches, 2);
      const after = await clickhouse.query("SELECT 1 AS one");
      assert.equal(after.numRows, 1, "the session still works after a cancelled stream");
    });

    await t.step("concurrent statements take turns on the one chDB connection", async () => {
      const [big, small, , blocks] = await Promise.all([
        clickhouse.query("SELECT number FROM numbers(1000000)"),
        clickhouse.query("SELECT 2 AS x"),
        clickhouse.command("CREATE TABLE turns (a UInt8) ENGINE = Memory"),
        clickhouse.query("SELECT number FROM numbers(30000)", {
          settings: { max_block_size: 1000 },
        }),
      ]);
      assert.equal(big.numRows, 1_000_000);
      assert.equal(small.numRows, 1);
      assert.equal(blocks.numRows, 30_000);
      assert.equal(blocks.batches.length, 30);
    });

    await t.step("a stream survives statements run inside its loop", async () => {
      let rows = 0;
      let sum = 0n;
      let batches = 0;
      for await (
        const batch of clickhouse.stream("SELECT number AS n FROM numbers(100000)", {
          settings: { max_block_size: 1000 },
        })
      ) {
        rows += batch.numRows;
        for (const value of batch.getChild("n")!) sum += value as bigint;
        if (batches++ === 3) {
          await clickhouse.insert("turns", [{ a: 7 }]);
          const inner = await clickhouse.query("SELECT sum(a) AS s FROM turns");
          assert.equal(inner.getChild("s")!.get(0), 7n);
        }
      }
      assert.equal(rows, 100_000);
      assert.equal(sum, 99_999n * 100_000n / 2n);
      assert.equal(batches, 100);
    });

    await t.step("leaving a stream early frees the connection", async () => {
      for await (const _ of clickhouse.stream("SELECT number FROM numbers(100000000)")) break;
      const iterator = clickhouse.stream("SELECT number FROM numbers(100000000)")
        [Symbol.asyncIterator]();
      await iterator.next();
      await iterator.return?.(undefined);
      const after = await clickhouse.query("SELECT 1 AS one");
      assert.equal(after.numRows, 1);
    });

    await t.step("an already aborted signal cancels before ClickHouse runs", async () => {
      const signal = AbortSignal.abort();
      await assert.rejects(clickhouse.query("SELECT 1", { signal }), CancelledError);
      await assert.rejects(
        clickhouse.command("CREATE DATABASE x_never", { signal }),
        CancelledError,
      );
      await assert.rejects(clickhouse.insert("alerts", [{ id: 1 }], { signal }), CancelledError);
      const databases = await clickhouse.query(
        "SELECT name FROM system.databases WHERE name = 'x_never'",
      );
      assert.equal(databases.numRows, 0);
    });
  } finally {
    await clickhouse.close();
  }

  await t.step("close() is idempotent and a closed engine refuses work", async () => {
    await clickhouse.close();
    await rejectsWith(clickhouse.query("SELECT 1"), "CLICKHOUSE_QUERY");
  });

  await t.step("database names the default database, and must exist", async () => {
    await rejectsWith(openClickHouse({ dataDir, database: "nope" }), "DATABASE_NOT_FOUND", 81);
    await using reopened = await openClickHouse({ dataDir, database: "risk.db`1" });
    const table = await reopened.query("SELECT count() AS n FROM alerts");
    assert.equal(table.getChild("n")!.get(0), 4n);
    await reopened.insert("alerts", [{ id: 10 }]);
    const after = await reopened.query("SELECT count() AS n FROM alerts");
    assert.equal(after.getChild("n")!.get(0), 5n);
  });

  await t.step("openClickHouse() refuses invalid options with CONFIG_INVALID", async () => {
    await rejectsWith(openClickHouse({ dataDir, user: "alice" }), "CONFIG_INVALID");
    await rejectsWith(openClickHouse({ url: "ftp://example.com" }), "CONFIG_INVALID");
    await rejectsWith(openClickHouse({ dataDir: "" }), "CONFIG_INVALID");
  });

  await Deno.remove(dataDir, { recursive: true });
});
