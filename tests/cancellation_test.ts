import assert from "node:assert/strict";
import { join } from "node:path";
import { EmbeddedClickHouse } from "../src/clickhouse/embedded.ts";
import { ServerClickHouse } from "../src/clickhouse/server.ts";
import { CancelledError, RiskTrainError } from "../src/errors.ts";
import { acquireLock } from "../src/file_lock.ts";
import { claimTraining } from "../src/storage/training_claim.ts";
import { silentServer } from "./support/silent_server.ts";

Deno.test("acquireLock() waits, names the holder, and honours a signal and a timeout", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "x.lock");
  const held = await acquireLock(path);

  await t.step("the waiter is told who holds the lock", async () => {
    const holders: string[] = [];
    const controller = new AbortController();
    const waiting = acquireLock(path, {
      signal: controller.signal,
      onWait: (holder) => {
        holders.push(holder);
        controller.abort();
      },
    });
    await assert.rejects(waiting, CancelledError);
    assert.equal(holders.length, 1);
    assert.match(holders[0], new RegExp(`^process ${Deno.pid} since \\d{4}-`));
  });

  await t.step("a timeout ends the wait with an error naming the holder", async () => {
    await assert.rejects(
      acquireLock(path, { timeoutMs: 100 }),
      (e) =>
        e instanceof RiskTrainError && e.code === "STORAGE" &&
        /Timed out .* waiting for the lock .*x\.lock \(held by process \d+/.test(e.message),
    );
  });

  await t.step("the lock is taken once it is released", async () => {
    const waiting = acquireLock(path);
    await held[Symbol.asyncDispose]();
    await (await waiting)[Symbol.asyncDispose]();
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a run waiting on an identical run's claim stops on its signal (issue 12, failure 2b)", async () => {
  const dir = await Deno.makeTempDir();
  const key = "e".repeat(64);
  await using _first = await claimTraining(key, { outputDir: dir });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  const started = performance.now();
  await assert.rejects(
    claimTraining(key, { outputDir: dir, signal: controller.signal }),
    CancelledError,
  );
  assert.ok(performance.now() - started < 5000);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the embedded engine waits for the process holding its data directory (issue 12, failure 1)", async (t) => {
  const dir = await Deno.makeTempDir();
  const dataDir = join(dir, "chdb");
  const first = await EmbeddedClickHouse.open({ dataDir });

  await t.step("a second open waits, and its signal ends the wait", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      EmbeddedClickHouse.open({ dataDir, signal: controller.signal }),
      CancelledError,
    );
  });

  await t.step("lockTimeoutMs ends the wait with an error naming the holder", async () => {
    await assert.rejects(
      EmbeddedClickHouse.open({ dataDir, lockTimeoutMs: 100 }),
      (e) => e instanceof RiskTrainError && /held by process \d+/.test(e.message),
    );
  });

  await t.step("once the first closes, the second opens", async () => {
    const second = EmbeddedClickHouse.open({ dataDir });
    await first.close();
    await using opened = await second;
    const table = await opened.query("SELECT 1 AS one");
    assert.equal(table.getChild("one")!.get(0), 1);
  });

  await t.step("create: false refuses a missing data directory and creates nothing", async () => {
    const missing = join(dir, "typo");
    await assert.rejects(
      EmbeddedClickHouse.open({ dataDir: missing, create: false }),
      (e) => e instanceof RiskTrainError && /No embedded ClickHouse data directory/.test(e.message),
    );
    await assert.rejects(Deno.stat(missing), Deno.errors.NotFound);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ServerClickHouse.open() against a server that never answers (issue 12, failure 2a)", async (t) => {
  const server = silentServer();
  try {
    await t.step("its signal cancels the version query", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      await assert.rejects(
        ServerClickHouse.open({ url: server.url, signal: controller.signal }),
        CancelledError,
      );
      assert.ok(performance.now() - started < 5000);
    });
    await t.step("the connect timeout ends it with CLICKHOUSE_UNREACHABLE", async () => {
      await assert.rejects(
        ServerClickHouse.open({ url: server.url, connectTimeoutMs: 300 }),
        (e) =>
          e instanceof RiskTrainError && e.code === "CLICKHOUSE_UNREACHABLE" &&
          /did not answer within 0\.3 s/.test(e.message),
      );
    });
  } finally {
    server.close();
  }
});
