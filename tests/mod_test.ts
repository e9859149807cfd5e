import assert from "node:assert/strict";
import * as risktrain from "../mod.ts";

// The public API changes only on purpose: a new export, or a removed one, must be added
// here too. (Types are checked by `deno doc --lint mod.ts` in the test task.)
const PUBLIC_VALUES = [
  "Booster",
  "CancelledError",
  "Dataset",
  "EmbeddedClickHouse",
  "INPUT_TABLES",
  "LightGBMError",
  "MINIMUM_SERVER_VERSION",
  "RiskTrainError",
  "SCORE_TABLES",
  "ServerClickHouse",
  "applyCalibration",
  "averagePrecision",
  "bestF1Threshold",
  "brierScore",
  "buildFeatures",
  "checkRegistry",
  "databaseFor",
  "evaluateScores",
  "expectedCalibrationError",
  "extract",
  "findExisting",
  "generate",
  "importSnapshots",
  "initLightGBM",
  "inspectModels",
  "latest",
  "list",
  "load",
  "loadEvaluation",
  "logLoss",
  "meanAveragePrecision",
  "migrate",
  "ndcgAt",
  "openClickHouse",
  "precisionAtK",
  "rebuildReport",
  "renderReport",
  "rocAuc",
  "runTraining",
  "save",
  "score",
  "shutdownLightGBM",
  "summarizeMatrix",
  "train",
  "trainingKey",
  "writeMatrixArrow",
  "writeScores",
];

Deno.test("mod.ts exports exactly the public API", () => {
  assert.deepEqual(Object.keys(risktrain).sort(), [...PUBLIC_VALUES].sort());
});

Deno.test("mod.ts exports the four stages as functions", () => {
  for (
    const stage of [risktrain.extract, risktrain.buildFeatures, risktrain.train, risktrain.save]
  ) {
    assert.equal(typeof stage, "function");
  }
});
