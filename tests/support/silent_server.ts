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
  /** Closes the held connections and the listener. */
  close(): void;
}

/** Starts a listener that accepts connections and never answers. */
export function silentServer(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch { /* closed */ }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () => {
      for (const conn of held) conn.close();
      listener.close();
    },
  };
}
