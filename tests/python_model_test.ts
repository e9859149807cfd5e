import assert from "node:assert/strict";
import { join } from "node:path";
import { Booster, initLightGBM } from "../src/lightgbm/mod.ts";
import { save } from "../src/notebook.ts";
import { train } from "../src/train/train.ts";
import type { FeatureMatrix } from "../src/types.ts";
import { syntheticMatrix } from "./support/synthetic_matrix.ts";

const PREDICT_SCRIPT = `
import json, sys
import numpy as np
try:
    import lightgbm as lgb
except ImportError as error:
    sys.exit("The LightGBM Python package is required (pip install lightgbm==4.6.0): %s" % error)
model_path, data_path, ours_path, rows, features = sys.argv[1:6]
rows, features = int(rows), int(features)
X = np.fromfile(data_path, dtype=np.float32).reshape(features, rows).T
booster = lgb.Booster(model_file=model_path)
theirs = booster.predict(X)
ours = np.fromfile(ours_path, dtype=np.float64)
print(json.dumps({
    "version": lgb.__version__,
    "num_trees": booster.num_trees(),
    "feature_names": booster.feature_name(),
    "max_abs_diff": float(np.max(np.abs(theirs - ours))),
    "rows": int(theirs.shape[0]),
}))
`;

async function pythonPredictions(
  modelPath: string,
  matrix: FeatureMatrix,
  ours: Float64Array,
  dir: string,
): Promise<Record<string, unknown>> {
  const dataPath = join(dir, "data.f32");
  const oursPath = join(dir, "ours.f64");
  const data = Float32Array.from(matrix.data);
  await Deno.writeFile(dataPath, new Uint8Array(data.buffer));
  await Deno.writeFile(oursPath, new Uint8Array(ours.buffer));
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: [
      "-c",
      PREDICT_SCRIPT,
      modelPath,
      dataPath,
      oursPath,
      String(matrix.numRows),
      String(matrix.numFeatures),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `python3 failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

for (const modelType of ["alert_scorer", "alert_ranker"] as const) {
  Deno.test(`a saved ${modelType} loads in LightGBM's Python package and predicts the same`, async () => {
    const matrix = syntheticMatrix({ modelType, days: 20, rowsPerDay: 80, seed: 9 });
    const model = await train(matrix, { trials: 2, folds: 3, numBoostRound: 60 });
    const dir = await Deno.makeTempDir();
    const saved = await save(model, { outputDir: dir });
    await initLightGBM();
    using booster = Booster.fromModelString(await Deno.readTextFile(saved.modelPath));
    // Every row, the unlabelled ones and the missing values included.
    const ours = booster.predict(matrix);
    const result = await pythonPredictions(saved.modelPath, matrix, ours, dir);
    assert.equal(result.version, "4.6.0");
    assert.equal(result.rows, matrix.numRows);
    assert.equal(result.num_trees, model.numTrees);
    assert.deepEqual(result.feature_names, matrix.featureNames);
    assert.ok(
      (result.max_abs_diff as number) <= 1e-12,
      `predictions differ by ${result.max_abs_diff}`,
    );
    await Deno.remove(dir, { recursive: true });
  });
}
