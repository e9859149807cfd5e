/**
 * The risktrain command line: the only place, with src/cli/main.ts, that reads argv,
 * configures log sinks, talks to the terminal and sets exit codes (0 done or skipped,
 * 1 failure, 2 usage, 130 cancelled).
 *
 * ```sh
 * deno task train --network torus --start-date 2024-01-01 --end-date 2024-03-31 --model-type alert_scorer
 * ```
 *
 * @module
 */

/** The npm packages come from node_modules/, installed by npm: say so instead of Deno. */
function notInstalled(error: unknown): string | null {
  const text = error instanceof Error ? error.message : String(error);
  if (!/node_modules|deno install/.test(text)) return null;
  return "error: risktrain's npm packages are not installed: run `npm install` in " +
    `${new URL(".", import.meta.url).pathname} (see README.md; \`deno install\` cannot ` +
    `install them from this registry)\n(${text.split("\n")[0]})`;
}

if (import.meta.main) {
  let main: (args: string[]) => Promise<number>;
  try {
    ({ main } = await import("./src/cli/main.ts"));
  } catch (error) {
    console.error(notInstalled(error) ?? error);
    Deno.exit(1);
  }
  Deno.exit(await main(Deno.args));
}
