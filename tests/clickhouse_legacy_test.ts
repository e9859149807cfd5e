import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { startLegacyClickHouse } from "./support/clickhouse_legacy_server.ts";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<RiskTrainError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RiskTrainError, `expected a RiskTrainError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

Deno.test("Debian's clickhouse-server 18.16 is refused with the version found", async (t) => {
  const server = await startLegacyClickHouse();
  try {
    await t.step("the server really is 18.16 and answers plain SQL", async () => {
      const response = await fetch(`${server.url}/?query=SELECT%20version()`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^18\.16\./);
    });

    await t.step("openClickHouse() refuses it with CLICKHOUSE_VERSION", async () => {
      const error = await rejectsWith(openClickHouse({ url: server.url }), "CLICKHOUSE_VERSION");
      assert.match(
        error.message,
        /^ClickHouse 18\.16\.\d+ is too old: risktrain needs 23\.8 or newer$/,
      );
    });

    await t.step("a wrong password is CLICKHOUSE_AUTH with ClickHouse's code", async () => {
      const error = await rejectsWith(
        openClickHouse({ url: server.url, user: "default", password: "wrong" }),
        "CLICKHOUSE_AUTH",
      );
      assert.equal(error.clickhouseCode, 193);
      assert.match(error.message, /rejected the credentials of user default: Wrong password/);
    });

    await t.step("an unknown user is CLICKHOUSE_AUTH with ClickHouse's code", async () => {
      const error = await rejectsWith(
        openClickHouse({ url: server.url, user: "mallory" }),
        "CLICKHOUSE_AUTH",
      );
      assert.equal(error.clickhouseCode, 192);
      assert.match(error.message, /user mallory: Unknown user mallory/);
    });
  } finally {
    await server.stop();
  }

  await t.step("once stopped, it is CLICKHOUSE_UNREACHABLE naming the URL", async () => {
    const error = await rejectsWith(openClickHouse({ url: server.url }), "CLICKHOUSE_UNREACHABLE");
    assert.ok(error.message.includes(server.url), error.message);
  });
});
