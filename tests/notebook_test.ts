import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function cell(source: string) {
  return { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source };
}

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

const text = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join("") : value ?? "";

// Cells display through Deno.jupyter.display (which calls Symbol.for("Jupyter.display") as a
// cell's last expression does), awaited: under load, nbclient could miss a last
// expression's result that arrived after the kernel went idle.
Deno.test("a notebook on Deno's kernel shows trained, saved and loaded models as HTML", async () => {
  // Inside the repository, so that the kernel finds deno.json and node_modules.
  await Deno.mkdir(join(ROOT, ".risktrain"), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: join(ROOT, ".risktrain"), prefix: "notebook-" });
  try {
    const notebook = {
      cells: [
        cell(
          `import { load, save, train } from "${ROOT}mod.ts";\n` +
            `import { syntheticMatrix } from "${ROOT}tests/support/synthetic_matrix.ts";`,
        ),
        cell(
          "const model = await train(syntheticMatrix({ days: 10, rowsPerDay: 40, seed: 4 }), " +
            "{ trials: 0, folds: 2, numBoostRound: 20, workers: 1 });\nawait Deno.jupyter.display(model);",
        ),
        cell(
          `const saved = await save(model, { outputDir: "${dir}/models" });\n` +
            "await Deno.jupyter.display(saved);",
        ),
        cell("await Deno.jupyter.display(await load(saved.metadataPath));"),
      ],
      metadata: {
        kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
        language_info: { name: "typescript" },
      },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const input = join(dir, "display.ipynb");
    await Deno.writeTextFile(input, JSON.stringify(notebook));
    const run = await new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=deno",
        "--ExecutePreprocessor.timeout=600",
        "--output",
        "executed.ipynb",
        input,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    const executed = JSON.parse(await Deno.readTextFile(join(dir, "executed.ipynb")));
    const outputs: Output[][] = executed.cells.map((c: { outputs: Output[] }) => c.outputs);
    for (const [i, list] of outputs.entries()) {
      const errors = list.filter((o) => o.output_type === "error");
      assert.deepEqual(errors, [], `cell ${i} raised`);
    }
    const html = (i: number) => {
      const shown = outputs[i].find((o) => o.data?.["text/html"]);
      assert.ok(shown, `cell ${i} displays text/html: ${JSON.stringify(outputs[i]).slice(0, 300)}`);
      return { html: text(shown.data!["text/html"]), plain: text(shown.data!["text/plain"]) };
    };
    const trained = html(1);
    assert.match(trained.html, /Trained alert_scorer \(not saved yet\)/);
    assert.match(trained.html, /data-chart="importance"/);
    assert.match(trained.html, /data-chart="shap-beeswarm"/);
    assert.match(trained.plain, /^Trained model: alert_scorer on torus \(test_auc 0\.\d+/);
    const saved = html(2);
    assert.match(saved.html, /data-card/);
    assert.match(saved.html, /data-chart="roc"/);
    assert.match(saved.plain, /^torus_alert_scorer_v1_[0-9a-f]{8}: alert_scorer on torus/);
    const loaded = html(3);
    assert.match(loaded.html, /data-chart="roc"/);
    assert.equal(loaded.plain, saved.plain);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
