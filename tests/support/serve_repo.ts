/**
 * Serves the repository's files over HTTP on 127.0.0.1, as a user's notebook would see
 * mod.ts at a URL. Test support only.
 *
 * @module
 */
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".mjs": "application/javascript",
  ".js": "application/javascript",
  ".json": "application/json",
  ".sql": "text/plain",
  ".wasm": "application/wasm",
};

/** A running file server; `url` ends with a slash. Dispose to stop it. */
export interface RepoServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
}

/** Starts serving `root` (read-only, no directory listings) on a free loopback port. */
export function serveRepo(root: string): RepoServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = normalize(decodeURIComponent(new URL(req.url).pathname));
    if (path.includes("..") || path.split("/").some((part) => part.startsWith("."))) {
      return new Response("Forbidden", { status: 403 });
    }
    try {
      const body = await Deno.readFile(join(root, path));
      const type = TYPES[extname(path)] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("Not found", { status: 404 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
