import assert from "node:assert/strict";
import { tableFromArrays, tableFromIPC } from "npm:apache-arrow@21.2.0";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { ServerClickHouse } from "../src/clickhouse/server.ts";
import { CancelledError, RiskTrainError } from "../src/errors.ts";
import type { QueryProgress } from "../src/types.ts";
import { startChdbHttpServer } from "./support/chdb_http_harness.ts";

const USER = "analyst";
const PASSWORD = "s3cret:with colon";

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

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("the chDB HTTP harness speaks ClickHouse's HTTP interface", async (t) => {
  await using server = await startChdbHttpServer({ user: USER, password: PASSWORD });
  const auth = { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD };
  const url = (params: Record<string, string>) =>
    `${server.url}/?${new URLSearchParams(params).toString()}`;

  await t.step("/ping answers Ok. without credentials", async () => {
    const response = await fetch(`${server.url}/ping`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "Ok.\n");
  });

  await t.step("a GET query with param_*, query_id and X-ClickHouse-* headers", async () => {
    const response = await fetch(
      url({
        query: "SELECT {s:String} AS s, {n:UInt8} + 1 AS n",
        param_s: "a\\tb",
        param_n: "41",
        query_id: "q-1",
      }),
      { headers: auth },
    );
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "a\\tb\t42\n");
    assert.equal(response.headers.get("X-ClickHouse-Query-Id"), "q-1");
    assert.equal(response.headers.get("X-ClickHouse-Format"), "TabSeparated");
    assert.ok(response.headers.get("X-ClickHouse-Server-Display-Name"));
    assert.ok(response.headers.get("X-ClickHouse-Timezone"));
    assert.doesNotThrow(() => JSON.parse(response.headers.get("X-ClickHouse-Summary")!));
  });

  await t.step("a POST query in the body with default_format and a setting", async () => {
    const response = await fetch(
      url({
        default_format: "ArrowStream",
        max_block_size: "7",
        output_format_arrow_compression_method: "none",
        user: USER,
        password: PASSWORD,
      }),
      { method: "POST", body: "SELECT number AS n FROM numbers(20)" },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("X-ClickHouse-Format"), "ArrowStream");
    assert.equal(response.headers.get("Content-Type"), "application/octet-stream");
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    assert.equal(table.numRows, 20);
    assert.deepEqual(table.batches.map((batch) => batch.numRows), [7, 7, 6]);
  });

  await t.step("the URL holds the INSERT and the body its data; database applies", async () => {
    const basic = { Authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` };
    for (
      const statement of [
        "CREATE DATABASE harness",
        "CREATE TABLE harness.t (id UInt32, name String) ENGINE = Memory",
      ]
    ) {
      const response = await fetch(server.url, { method: "POST", body: statement, headers: basic });
      assert.equal(response.status, 200, await response.text());
    }
    const insert = await fetch(
      url({ query: "INSERT INTO t FORMAT JSONEachRow", database: "harness" }),
      { method: "POST", body: '{"id":1,"name":"a"}\n{"name":"b","id":2}\n', headers: basic },
    );
    assert.equal(insert.status, 200, await insert.text());
    const select = await fetch(
      url({ query: "SELECT id, name FROM t ORDER BY id FORMAT JSONEachRow" }),
      { headers: { ...basic, "X-ClickHouse-Database": "harness" } },
    );
    assert.equal(await select.text(), '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n');
    assert.equal(select.headers.get("X-ClickHouse-Format"), "JSONEachRow");
  });

  await t.step("errors carry ClickHouse's status, body and exception code", async () => {
    const cases: [string, number, number][] = [
      ["SELECT * FROM nope_table", 404, 60],
      ["SELECT * FROM nope_db.t", 404, 81],
      ["SELEC 1", 400, 62],
      ["SELECT throwIf(1)", 500, 395],
      ["SELECT 1 INTO OUTFILE '/tmp/never.tsv'", 500, 358],
    ];
    for (const [query, status, code] of cases) {
      const response = await fetch(url({ query }), { headers: auth });
      const body = await response.text();
      assert.equal(response.status, status, body);
      assert.equal(response.headers.get("X-ClickHouse-Exception-Code"), String(code));
      assert.match(
        body,
        new RegExp(`^Code: ${code}\\. DB::Exception: .*\\(version [0-9.]+\\)\\n$`),
      );
    }
    const setting = await fetch(url({ query: "SELECT 1", no_such_setting: "1" }), {
      headers: auth,
    });
    assert.equal(setting.headers.get("X-ClickHouse-Exception-Code"), "115");
    await setting.body?.cancel();
  });

  await t.step("an error after the first blocks ends the body with ClickHouse's text", async () => {
    const response = await fetch(
      url({
        query: "SELECT number, throwIf(number = 50000) AS boom FROM numbers(100000)",
        max_block_size: "1000",
      }),
      { headers: auth },
    );
    assert.equal(response.status, 200, "the response had started");
    const body = await response.text();
    assert.ok(body.startsWith("0\t0\n1\t0\n"));
    assert.match(body, /\nCode: 395\. DB::Exception: .*\(version [0-9.]+\)\n$/);
  });

  await t.step("wrong credentials get code 516 and HTTP 401", async () => {
    for (
      const headers of [
        { "X-ClickHouse-User": USER, "X-ClickHouse-Key": "wrong" } as Record<string, string>,
        { Authorization: `Basic ${btoa(`nobody:${PASSWORD}`)}` },
        {},
      ]
    ) {
      const response = await fetch(url({ query: "SELECT 1" }), { headers });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get("X-ClickHouse-Exception-Code"), "516");
      assert.match(await response.text(), /^Code: 516\. DB::Exception: .*AUTHENTICATION_FAILED/);
    }
  });
});

Deno.test("ServerClickHouse through @clickhouse/client", async (t) => {
  await using server = await startChdbHttpServer({ user: USER, password: PASSWORD });
  const clickhouse = await openClickHouse({ url: server.url, user: USER, password: PASSWORD });
  try {
    await t.step("openClickHouse() with a URL opens the server engine", async () => {
      assert.ok(clickhouse instanceof ServerClickHouse);
      assert.equal(clickhouse.kind, "server");
      assert.match(await clickhouse.version(), /^2[6-9]\.\d+\.\d+/);
    });

    await t.step("query() returns ClickHouse types as Arrow types", async () => {
      const table = await clickhouse.query(
        `SELECT toUInt64(number) AS n, toString(number) AS s, toDate('2024-01-01') + number AS d,
           if(number = 1, NULL, number / 2) AS maybe
         FROM numbers({rows:UInt32}) ORDER BY n`,
        { params: { rows: 3 } },
      );
      assert.deepEqual(
        table.schema.fields.map((field) => [field.name, String(field.type), field.nullable]),
        [
          ["n", "Uint64", false],
          ["s", "Utf8", false],
          ["d", "Date32<DAY>", false],
          ["maybe", "Float64", true],
        ],
      );
      assert.deepEqual([...table.getChild("n")!], [0n, 1n, 2n]);
      assert.deepEqual([...table.getChild("maybe")!], [0, null, 1]);
      assert.equal(table.getChild("d")!.get(2), Date.UTC(2024, 0, 3));
    });

    await t.step("query() of an empty result keeps the schema", async () => {
      const table = await clickhouse.query("SELECT number AS n FROM numbers(0)");
      assert.equal(table.numRows, 0);
      assert.deepEqual(table.schema.fields.map((field) => field.name), ["n"]);
    });

    await t.step("stream() decodes batch by batch and reports progress", async () => {
      const progress: QueryProgress[] = [];
      let rows = 0;
      let batches = 0;
      for await (
        const batch of clickhouse.stream("SELECT number AS n FROM numbers({rows:UInt64})", {
          params: { rows: 50_000 },
          settings: { max_block_size: 8_192 },
          onProgress: (p) => progress.push(p),
        })
      ) {
        rows += batch.numRows;
        batches++;
      }
      assert.equal(rows, 50_000);
      assert.equal(batches, Math.ceil(50_000 / 8_192));
      assert.equal(progress.at(-1)!.rows, 50_000);
      assert.ok(progress.at(-1)!.bytes >= 50_000 * 8);
    });

    await t.step("command() and insert() of an Arrow table and of rows", async () => {
      await clickhouse.command("CREATE DATABASE {db:Identifier}", { params: { db: "srv.db" } });
      await clickhouse.command(
        "CREATE TABLE {db:Identifier}.alerts (id UInt64, name String, " +
          "day Date DEFAULT '2020-02-02', tags Array(String)) ENGINE = MergeTree ORDER BY id",
        { params: { db: "srv.db" } },
      );
      await clickhouse.insert(
        "alerts",
        tableFromArrays({ name: ["a", "b\n'c"], id: BigUint64Array.of(2n, 1n) }),
        { database: "srv.db" },
      );
      await clickhouse.insert("alerts", [
        { id: 3n, name: "r", day: new Date("2024-02-29T00:00:00Z"), tags: ["x", "y'z"] },
      ], { database: "srv.db" });
      const table = await clickhouse.query(
        "SELECT id, name, day, tags FROM {db:Identifier}.alerts ORDER BY id",
        { params: { db: "srv.db" } },
      );
      assert.deepEqual([...table.getChild("id")!], [1n, 2n, 3n]);
      assert.deepEqual([...table.getChild("name")!], ["b\n'c", "a", "r"]);
      assert.deepEqual([...table.getChild("day")!], [
        Date.UTC(2020, 1, 2),
        Date.UTC(2020, 1, 2),
        Date.UTC(2024, 1, 29),
      ]);
      assert.deepEqual([...table.getChild("tags")!.get(2)!], ["x", "y'z"]);
      await rejectsWith(
        clickhouse.insert("alerts", [{ id: 4, colour: "red" }], { database: "srv.db" }),
        "DATA_INVALID",
      );
    });

    await t.step("ClickHouse errors keep ClickHouse's code", async () => {
      await rejectsWith(clickhouse.query("SELECT * FROM nope.t"), "DATABASE_NOT_FOUND", 81);
      await rejectsWith(clickhouse.query("SELECT * FROM nope_t"), "TABLE_NOT_FOUND", 60);
      await rejectsWith(clickhouse.command("DROP TABLE nope_t"), "TABLE_NOT_FOUND", 60);
      await rejectsWith(clickhouse.query("SELEC 1"), "CLICKHOUSE_QUERY", 62);
    });

    await t.step("an error in the middle of the Arrow stream keeps its code", async () => {
      await rejectsWith(
        clickhouse.query("SELECT number, throwIf(number = 50000) AS boom FROM numbers(100000)", {
          settings: { max_block_size: 1000 },
        }),
        "CLICKHOUSE_QUERY",
        395,
      );
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
      await assert.rejects(
        clickhouse.query("SELECT 1", { signal: AbortSignal.abort() }),
        CancelledError,
      );
      const after = await clickhouse.query("SELECT 1 AS one");
      assert.equal(after.numRows, 1, "the server still answers after a cancelled stream");
    });

    await t.step("database names the default database, and must exist", async () => {
      await rejectsWith(
        openClickHouse({ url: server.url, user: USER, password: PASSWORD, database: "nope" }),
        "DATABASE_NOT_FOUND",
      );
      await using scoped = await openClickHouse({
        url: server.url,
        user: USER,
        password: PASSWORD,
        database: "srv.db",
      });
      const table = await scoped.query("SELECT count() AS n FROM alerts");
      assert.equal(table.getChild("n")!.get(0), 3n);
    });
  } finally {
    await clickhouse.close();
  }

  await t.step("bad credentials give CLICKHOUSE_AUTH naming the user", async () => {
    const error = await rejectsWith(
      openClickHouse({ url: server.url, user: USER, password: "wrong" }),
      "CLICKHOUSE_AUTH",
      516,
    );
    assert.match(error.message, new RegExp(`${server.url}.*user ${USER}`));
  });
});

Deno.test("openClickHouse() names the URL of an unreachable server", async () => {
  const url = `http://127.0.0.1:${closedPort()}`;
  const error = await rejectsWith(openClickHouse({ url }), "CLICKHOUSE_UNREACHABLE");
  assert.match(error.message, new RegExp(`^ClickHouse is unreachable at ${url}`));
});
