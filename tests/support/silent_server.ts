/**
 * A TCP listener that accepts connections and never answers: a hung ClickHouse server.
 *
 * @module
 */

/** A silent listener on a free loopback port. */
export interface SilentServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`, as --allow-net wants it. */
  host: string;
  /** Resolves when the next connection (counting from this call) has been accepted. */
  nextConnection(): Promise<void>;
  /** Closes the held connections and the listener. */
  close(): void;
}

/** Starts a listener that accepts connections and never answers. */
export function silentServer(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  let waiters: (() => void)[] = [];
  (async () => {
    try {
      for await (const conn of listener) {
        held.push(conn);
        for (const wake of waiters) wake();
        waiters = [];
      }
    } catch { /* closed */ }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => {
      for (const conn of held) conn.close();
      listener.close();
    },
  };
}
