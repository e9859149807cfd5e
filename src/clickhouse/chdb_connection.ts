/**
 * One chDB connection shared safely by concurrent statements. chDB keeps one connection
 * per data directory and process, and any statement run while a streamed result is being
 * read ends that stream ("No active streaming query"). So statements take turns, and a
 * statement that arrives while a stream is open first reads the rest of that stream into
 * memory, from where its reader carries on; a stream its reader has left is cancelled.
 *
 * @module
 */
import type { Session } from "npm:chdb@3.4.0";
import type { BoundParam } from "./query_params.ts";

type NativeStream = ReturnType<Session["queryStreamBind"]>;

/** A streamed result: chunks fetched from chDB, or buffered when another statement came. */
class Cursor {
  readonly #stream: NativeStream;
  readonly #iterator: AsyncIterator<{ raw(): Uint8Array }>;
  readonly buffer: Uint8Array[] = [];
  done = false;
  error: unknown = undefined;
  abandoned = false;

  constructor(stream: NativeStream) {
    this.#stream = stream;
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  /** Fetches one chunk into the buffer (callers hold the connection's turn). */
  async fetch(): Promise<void> {
    if (this.done) return;
    try {
      const next = await this.#iterator.next();
      if (next.done) this.done = true;
      else this.buffer.push(next.value.raw());
    } catch (error) {
      this.done = true;
      this.error = error;
    }
  }

  /** Frees the connection: reads the rest into the buffer, or cancels an abandoned stream. */
  async release(): Promise<void> {
    while (!this.done && !this.abandoned) await this.fetch();
    this.cancel();
  }

  cancel(): void {
    this.done = true;
    this.#stream.cancel();
  }
}

/** Statements on one chDB session, one at a time, streams included. */
export class ChdbConnection {
  readonly #session: Session;
  #tail: Promise<unknown> = Promise.resolve();
  #cursor: Cursor | undefined;

  /** Wraps an open session; the connection owns it from now on. */
  constructor(session: Session) {
    this.#session = session;
  }

  /**
   * Runs `work` when the connection is free, after the open stream (unless it is `own`,
   * the stream `work` reads) has released it.
   */
  #turn<T>(work: () => Promise<T> | T, own?: Cursor): Promise<T> {
    const run = this.#tail.then(async () => {
      const open = this.#cursor;
      if (open !== undefined && open !== own) {
        this.#cursor = undefined;
        await open.release();
      }
      return await work();
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Runs a statement and returns its whole output in `format`. */
  run(
    sql: string,
    params: Record<string, BoundParam>,
    format: string,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    return this.#turn(async () =>
      (await this.#session.queryBindAsync(sql, params, { format, signal })).bytes()
    );
  }

  /**
   * Streams a query's output in `format`, chunk by chunk. Breaking out of the loop, or an
   * abort of `signal`, cancels the query.
   */
  async *stream(
    sql: string,
    params: Record<string, BoundParam>,
    format: string,
    signal?: AbortSignal,
  ): AsyncGenerator<Uint8Array> {
    const cursor = await this.#turn(() => {
      const opened = new Cursor(this.#session.queryStreamBind(sql, params, { format, signal }));
      this.#cursor = opened;
      return opened;
    });
    try {
      while (true) {
        const chunk = cursor.buffer.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        if (cursor.error !== undefined) throw cursor.error;
        if (cursor.done) return;
        await this.#turn(() => cursor.fetch(), cursor);
      }
    } finally {
      cursor.abandoned = true;
      await this.#turn(() => {
        cursor.cancel();
        if (this.#cursor === cursor) this.#cursor = undefined;
      }, cursor);
    }
  }

  /** Closes the session (cancelling an open stream). */
  close(): void {
    this.#cursor?.cancel();
    this.#session.close();
  }
}
