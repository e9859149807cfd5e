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
  const missing = text.match(/Could not find "([^"]+)" in a node_modules folder/);
  if (!missing) return null;
  const root = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
  return `error: The npm package ${missing[1]} is not installed: run \`npm install\` in ${root} ` +
    '(README.md, "Two commands"), then the command again';
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
