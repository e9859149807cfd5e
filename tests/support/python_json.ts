/**
 * Runs a Python script (scikit-learn, numpy) with a JSON input on stdin and returns its JSON
 * output: the reference the metric tests check against.
 *
 * @module
 */

/** Runs `script` with `input` as JSON on stdin and returns its JSON output. */
export async function python<T = Record<string, number>>(
  script: string,
  input: unknown,
): Promise<T> {
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) {
    if (err.includes("No module named")) {
      throw new Error(
        `scikit-learn is required for these tests (pip install scikit-learn): ${err}`,
      );
    }
    throw new Error(`python3 failed: ${err}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}
