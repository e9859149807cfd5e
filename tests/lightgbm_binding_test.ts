/**
 * The typed LightGBM binding: Datasets from matrices (chunked, row subsets, validation
 * sets by reference), Booster prediction kinds, model text round trip, importance,
 * parameter validation, LightGBM errors, and heap memory freed deterministically.
 */
import assert from "node:assert/strict";
import { RiskTrainError } from "../src/errors.ts";
import {
  Booster,
  Dataset,
  initLightGBM,
  LightGBMError,
  type LightGBMParams,
  paramsToString,
  parseParams,
  train,
} from "../src/lightgbm/mod.ts";
import { heapBreak, memoryBytes } from "../src/lightgbm/_wasm.ts";
import { syntheticSource } from "./parity/lightgbm_data.ts";

await initLightGBM();

const PARAMS: LightGBMParams = {
  objective: "binary",
  metric: "auc",
  verbosity: -1,
  deterministic: true,
  force_row_wise: true,
  num_threads: 1,
};

Deno.test("Dataset.fromMatrix() reads rows, features, names and labels", () => {
  const source = syntheticSource(1000, 6, "binary");
  using dataset = Dataset.fromMatrix(source, { params: PARAMS });
  assert.equal(dataset.numRows, 1000);
  assert.equal(dataset.numFeatures, 6);
  assert.deepEqual(dataset.featureNames, source.featureNames);
  assert.deepEqual(dataset.getField("label"), source.label);
});

Deno.test("Dataset.fromMatrix() builds the same model whatever the chunk size", async () => {
  const source = syntheticSource(3000, 8, "binary", 2, "float32");
  const model = async (chunkRows: number) => {
    using dataset = Dataset.fromMatrix(source, { params: PARAMS, chunkRows });
    using booster = await train(PARAMS, dataset, { numBoostRound: 10 });
    return booster.saveModelToString();
  };
  const whole = await model(3000);
  assert.equal(await model(97), whole);
  assert.equal(await model(1), whole);
});

Deno.test("Dataset.fromMatrix() with rows equals a matrix of just those rows", async () => {
  const source = syntheticSource(2000, 5, "binary", 4);
  const rows = Int32Array.from({ length: 800 }, (_, i) => 2 * i + 1);
  const copy = {
    ...source,
    numRows: rows.length,
    data: new Float64Array(rows.length * 5),
    label: Float32Array.from(rows, (r) => source.label[r]),
  };
  for (let j = 0; j < 5; j++) {
    for (let i = 0; i < rows.length; i++) {
      copy.data[j * rows.length + i] = source.data[j * 2000 + rows[i]];
    }
  }
  const model = async (options: { rows?: Int32Array }, matrix = source) => {
    using dataset = Dataset.fromMatrix(matrix, { params: PARAMS, ...options });
    using booster = await train(PARAMS, dataset, { numBoostRound: 8 });
    return booster.saveModelToString();
  };
  assert.equal(await model({ rows }), await model({}, copy));
});

Deno.test("Dataset.fromMatrix() turns query group ids into query sizes", () => {
  const source = syntheticSource(200, 4, "lambdarank");
  using dataset = Dataset.fromMatrix(source, { params: { objective: "lambdarank" } });
  const boundaries = dataset.getField("group") as Int32Array;
  assert.deepEqual(Array.from(boundaries), Array.from({ length: 11 }, (_, i) => i * 20));
});

Deno.test("Dataset.fromMatrix() rejects non-contiguous groups, NaN labels and bad shapes", () => {
  const source = syntheticSource(100, 4, "lambdarank");
  const group = source.group!.slice();
  group[99] = 0;
  assert.throws(
    () => Dataset.fromMatrix({ ...source, group }),
    (e: unknown) =>
      e instanceof RiskTrainError && e.code === "DATA_INVALID" && /group 0/.test(e.message),
  );
  const label = source.label.slice();
  label[7] = NaN;
  assert.throws(
    () => Dataset.fromMatrix({ ...source, group: null, label }),
    /Label of row 7 is NaN/,
  );
  assert.throws(() => Dataset.fromMatrix({ ...source, numRows: 99 }), /holds 400 values/);
  assert.throws(() => Dataset.fromMatrix(source, { rows: [0, 100] }), /Row index 100/);
});

Deno.test("parseParams() rejects bad values and passes other LightGBM names through", () => {
  assert.throws(
    () => parseParams({ num_leaves: 1 }),
    (e: unknown) =>
      e instanceof RiskTrainError && e.code === "CONFIG_INVALID" && /num_leaves/.test(e.message),
  );
  assert.equal(
    paramsToString(parseParams({ objective: "binary", eval_at: [5, 10], extra_trees: true })),
    "objective=binary eval_at=5,10 extra_trees=true",
  );
  assert.throws(() => paramsToString({ objective: "binary multi" }), /whitespace/);
});

Deno.test("LightGBM errors surface as LightGBMError with LightGBM's message", () => {
  const source = syntheticSource(100, 4, "binary");
  using dataset = Dataset.fromMatrix(source, { params: PARAMS });
  assert.throws(
    () => Booster.create({ objective: "no_such_objective" }, dataset),
    (e: unknown) =>
      e instanceof LightGBMError && e.code === "LIGHTGBM" &&
      e.apiFunction === "LGBM_BoosterCreate" &&
      /Unknown objective type name: no_such_objective/.test(e.message),
  );
  assert.throws(
    () => Booster.fromModelString("not a model"),
    (e: unknown) =>
      e instanceof LightGBMError && e.apiFunction === "LGBM_BoosterLoadModelFromString",
  );
});

Deno.test("Booster predicts probability, raw score, SHAP contributions and leaves", async () => {
  const source = syntheticSource(1500, 6, "binary");
  using dataset = Dataset.fromMatrix(source, { params: PARAMS });
  using booster = await train(PARAMS, dataset, { numBoostRound: 12 });
  const probability = booster.predict(source);
  const raw = booster.predict(source, { type: "raw" });
  const contrib = booster.predict(source, { type: "contrib" });
  const leaves = booster.predict(source, { type: "leaf" });
  assert.equal(probability.length, 1500);
  assert.equal(contrib.length, 1500 * 7);
  assert.equal(leaves.length, 1500 * 12);
  for (let i = 0; i < 1500; i += 37) {
    assert.ok(Math.abs(probability[i] - 1 / (1 + Math.exp(-raw[i]))) < 1e-12);
    let sum = 0;
    for (let j = 0; j < 7; j++) sum += contrib[i * 7 + j];
    assert.ok(Math.abs(sum - raw[i]) < 1e-9, "SHAP values add up to the raw score");
  }
  const rows = [5, 3, 1400];
  assert.deepEqual(Array.from(booster.predict(source, { rows })), rows.map((r) => probability[r]));
  assert.equal(booster.numTrees, 12);
  assert.deepEqual(booster.featureNames, source.featureNames);
});

Deno.test("Booster model text round-trips and importance counts the splits", async () => {
  const source = syntheticSource(1500, 6, "binary");
  using dataset = Dataset.fromMatrix(source, { params: PARAMS });
  using booster = await train(PARAMS, dataset, { numBoostRound: 10 });
  const text = booster.saveModelToString();
  using loaded = Booster.fromModelString(text);
  assert.equal(loaded.saveModelToString(), text);
  assert.deepEqual(loaded.predict(source), booster.predict(source));
  const split = booster.featureImportance("split");
  const gain = booster.featureImportance("gain");
  const splits = (text.match(/^split_feature=.*$/gm) ?? [])
    .flatMap((line) => line.slice("split_feature=".length).split(" ")).length;
  assert.equal(split.reduce((a, b) => a + b, 0), splits);
  assert.ok(gain[0] > 0 && gain[0] >= gain[5], "the informative feature has gain");
  const firstFive = booster.saveModelToString({ numIteration: 5 });
  using five = Booster.fromModelString(firstFive);
  assert.equal(five.numTrees, 5);
});

Deno.test("Dataset.subset() and validation sets by reference share the bins", async () => {
  const source = syntheticSource(2000, 6, "binary");
  using full = Dataset.fromMatrix(source, { params: PARAMS });
  using part = full.subset(Int32Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(part.numRows, 1000);
  using valid = Dataset.fromMatrix(source, {
    params: PARAMS,
    rows: Int32Array.from({ length: 500 }, (_, i) => 1500 + i),
    reference: full,
  });
  using booster = await train(PARAMS, part, { numBoostRound: 5, validSets: [valid] });
  const [result] = booster.evalValid();
  assert.equal(result.dataName, "valid_0");
  assert.equal(result.metric, "auc");
  assert.ok(result.value > 0.7 && result.higherBetter);
});

Deno.test("free() is idempotent and a freed handle fails clearly", () => {
  const dataset = Dataset.fromMatrix(syntheticSource(100, 3, "binary"), { params: PARAMS });
  dataset.free();
  dataset.free();
  assert.throws(() => dataset.handle, /Dataset has been freed/);
});

Deno.test("1,000 Dataset and Booster create/free cycles do not grow the heap", async () => {
  const source = syntheticSource(2000, 10, "binary");
  const cycle = () => {
    using dataset = Dataset.fromMatrix(source, { params: PARAMS });
    using booster = Booster.create(PARAMS, dataset);
    booster.updateOneIter();
    booster.predict(source, { rows: [0, 1, 2] });
    booster.saveModelToString();
  };
  for (let i = 0; i < 20; i++) cycle();
  const breakBefore = heapBreak();
  const memoryBefore = memoryBytes();
  for (let i = 0; i < 1000; i++) cycle();
  assert.equal(memoryBytes(), memoryBefore, "WebAssembly memory grew");
  assert.equal(heapBreak(), breakBefore, "the heap's program break moved");
  await Promise.resolve();
});

Deno.test("an unweighted validation set by reference to a weighted one weighs every row 1", () => {
  const source = syntheticSource(600, 4, "binary");
  const weighted = { ...source, weight: Float32Array.from(source.label, (y) => y + 0.5) };
  using train = Dataset.fromMatrix(weighted, { params: PARAMS, rows: range(0, 400) });
  using valid = Dataset.fromMatrix(weighted, {
    params: PARAMS,
    rows: range(400, 600),
    reference: train,
    useWeight: false,
  });
  assert.deepEqual(valid.getField("weight"), new Float32Array(200).fill(1));
});

function range(from: number, to: number): Int32Array {
  return Int32Array.from({ length: to - from }, (_, i) => from + i);
}
