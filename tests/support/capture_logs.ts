/**
 * Collects the log records of `risktrain` while a test's work runs.
 *
 * @module
 */
import { configure, type LogRecord, reset } from "npm:@logtape/logtape@2.4.2";

/** Runs `work` with `risktrain` info logs (and above) collected; returns them. */
export async function captureLogs(work: () => Promise<unknown> | unknown): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["risktrain"], lowestLevel: "info", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
  });
  try {
    await work();
  } finally {
    await reset();
  }
  return records;
}
