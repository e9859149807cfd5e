/**
 * Parity with native LightGBM 4.6.0 (the Python package): the same data and parameters
 * give byte-identical model text, and Python's predictions from risktrain's model text
 * agree with risktrain's within 1e-12. Requires `pip install lightgbm==4.6.0
 * scikit-learn`; a missing package fails the test.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  Booster,
  Dataset,
  type DatasetSource,
  initLightGBM,
  type LightGBMParams,
  train,
} from "../src/lightgbm/mod.ts";
import { readNpy, writeNpy } from "./parity/npy.ts";
import { syntheticSource } from "./parity/lightgbm_data.ts";

const SCRIPT = fileURLToPath(new URL("./parity/lightgbm_native.py", import.meta.url));
const COMMON: LightGBMParams = {
  deterministic: true,
  force_row_wise: true,
  num_threads: 1,
  seed: 42,
  verbosity: -1,
};

async function python(...args: string[]): Promise<void> {
  const output = await new Deno.Command("python3", { args: [SCRIPT, ...args] }).output();
  if (!output.success) {
    throw new Error(
      `Native LightGBM (python3 ${args[0]}) failed with code ${output.code}: ${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
}

/** Column-major source from a row-major matrix. */
function fromRowMajor(x: Float64Array, rows: number, cols: number, y: Float32Array) {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[j * rows + i] = x[i * cols + j];
  }
  return {
    numRows: rows,
    numFeatures: cols,
    data,
    label: y,
    weight: null,
    group: null,
    featureNames: Array.from({ length: cols }, (_, j) => `feature_${j}`),
    categorical: [],
  } satisfies DatasetSource;
}

function toRowMajor(source: DatasetSource): Float64Array {
  const { numRows, numFeatures, data } = source;
  const out = new Float64Array(numRows * numFeatures);
  for (let i = 0; i < numRows; i++) {
    for (let j = 0; j < numFeatures; j++) out[i * numFeatures + j] = data[j * numRows + i];
  }
  return out;
}

function querySizes(group: Int32Array): Int32Array {
  const sizes: number[] = [];
  for (let i = 0; i < group.length; i++) {
    if (i === 0 || group[i] !== group[i - 1]) sizes.push(0);
    sizes[sizes.length - 1]++;
  }
  return Int32Array.from(sizes);
}

/** The first differing line of two texts, as `line N: ours | native`, or null. */
function firstDifference(ours: string, native: string): string | null {
  const a = ours.split("\n"), b = native.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: ${a[i]?.slice(0, 300)} | ${b[i]?.slice(0, 300)}`;
  }
  return null;
}

function maxAbsDiff(a: Float64Array, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Trains on both sides and asserts identical model text and predictions within 1e-12. */
async function assertParity(
  dir: string,
  name: string,
  source: DatasetSource,
  params: LightGBMParams,
  numBoostRound: number,
): Promise<void> {
  await initLightGBM();
  const file = (suffix: string) => `${dir}/${name}_${suffix}`;
  await writeNpy(file("X.npy"), toRowMajor(source), [source.numRows, source.numFeatures]);
  await writeNpy(file("y.npy"), source.label, [source.numRows]);
  if (source.group) {
    const sizes = querySizes(source.group);
    await writeNpy(file("group.npy"), sizes, [sizes.length]);
  }
  using dataset = Dataset.fromMatrix(source, { params });
  using booster = await train(params, dataset, { numBoostRound });
  const modelText = booster.saveModelToString();
  const predictions = booster.predict(source);
  const raw = booster.predict(source, { type: "raw" });
  await Deno.writeTextFile(file("risktrain_model.txt"), modelText);
  const spec = {
    X: file("X.npy"),
    y: file("y.npy"),
    group: source.group ? file("group.npy") : null,
    featureNames: source.featureNames,
    categorical: source.categorical.map((c) => c.index),
    params,
    numBoostRound,
    nativeModel: file("native_model.txt"),
    risktrainModel: file("risktrain_model.txt"),
    nativePredictions: file("native_pred.npy"),
    crossPredictions: file("cross_pred.npy"),
    crossRawPredictions: file("cross_raw.npy"),
  };
  await Deno.writeTextFile(file("spec.json"), JSON.stringify(spec));
  await python("train", file("spec.json"));

  // The Python package appends "\npandas_categorical:null\n" to the C API's text.
  const nativeText = (await Deno.readTextFile(spec.nativeModel)).replace(
    /\npandas_categorical:.*\n$/,
    "",
  );
  assert.ok(modelText.length > 1000, "model text is substantial");
  assert.equal(firstDifference(modelText, nativeText), null, `${name}: model text differs`);
  const cross = (await readNpy(spec.crossPredictions)).values;
  const crossRaw = (await readNpy(spec.crossRawPredictions)).values;
  const native = (await readNpy(spec.nativePredictions)).values;
  assert.ok(maxAbsDiff(predictions, cross) <= 1e-12, `${name}: predictions differ`);
  assert.ok(maxAbsDiff(raw, crossRaw) <= 1e-12, `${name}: raw scores differ`);
  assert.ok(maxAbsDiff(predictions, native) <= 1e-12, `${name}: native model predicts otherwise`);
  // Loading risktrain's own text back gives the same predictions.
  using loaded = Booster.fromModelString(modelText);
  assert.ok(maxAbsDiff(loaded.predict(source), predictions) === 0);
}

Deno.test("LightGBM parity: binary on breast-cancer gives native model text", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain_parity_" });
  try {
    await python("breast-cancer", dir);
    const x = await readNpy(`${dir}/X.npy`);
    const y = await readNpy(`${dir}/y.npy`);
    const [rows, cols] = x.shape;
    const source = fromRowMajor(x.values as Float64Array, rows, cols, y.values as Float32Array);
    await assertParity(dir, "bc", source, {
      ...COMMON,
      objective: "binary",
      metric: "auc",
      num_leaves: 15,
      learning_rate: 0.1,
    }, 60);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LightGBM parity: binary with categorical and missing values", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain_parity_" });
  try {
    await assertParity(dir, "bin", syntheticSource(5000, 12, "binary", 11), {
      ...COMMON,
      objective: "binary",
      bagging_fraction: 0.8,
      bagging_freq: 1,
      feature_fraction: 0.9,
    }, 40);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LightGBM parity: lambdarank with query groups", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain_parity_" });
  try {
    await assertParity(dir, "rank", syntheticSource(4000, 10, "lambdarank", 5), {
      ...COMMON,
      objective: "lambdarank",
      metric: "ndcg",
      eval_at: [5, 10],
    }, 30);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LightGBM parity: regression", async () => {
  const dir = await Deno.makeTempDir({ prefix: "risktrain_parity_" });
  try {
    await assertParity(dir, "reg", syntheticSource(3000, 8, "regression", 3), {
      ...COMMON,
      objective: "regression",
      learning_rate: 0.05,
    }, 40);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
