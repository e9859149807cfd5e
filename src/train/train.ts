/**
 * `train`: time split, seeded hyperparameter search by successive halving with k-fold
 * cross-validation and early stopping, the final fit on the whole training part, and test
 * metrics. Trainings run in parallel WebAssembly workers.
 *
 * @module
 */
import { getLogger } from "npm:@logtape/logtape@2.4.2";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError, throwIfAborted } from "../errors.ts";
import { fitCalibration } from "../metrics/calibration_fit.ts";
import { bestF1Threshold } from "../metrics/threshold.ts";
import type { FeatureMatrix, TrainedModel } from "../types.ts";
import { subsetMatrix } from "./_matrix_subset.ts";
import { evaluateTest, type TestEvaluation } from "./_test_evaluation.ts";
import { weakFigures, weakReasons } from "./_weak_model.ts";
import { cvMetricName, imbalanceDecision, lightgbmParams } from "./_lightgbm_params.ts";
import { shareSource, type TrainingJob, TrainingPool } from "../lightgbm/mod.ts";
import { summariseCv } from "./cv_curves.ts";
import { chooseFolds } from "./fold_choice.ts";
import { assembleModel } from "./model_details.ts";
import { evaluationData } from "./evaluation_data.ts";
import { createRandom } from "../random.ts";
import {
  DEFAULT_HYPERPARAMETERS,
  type Hyperparameters,
  sampleHyperparameters,
} from "./search_space.ts";
import { halvingSchedule, successiveHalving } from "./successive_halving.ts";
import { timeSplit } from "./time_split.ts";
import { RoundBudget } from "./_round_budget.ts";
import { type TrainOptions, TrainOptionsSchema, type TrainProgress } from "./train_options.ts";
import { trainingKey } from "./training_key.ts";

const logger = getLogger(["risktrain", "train"]);

function checkMatrix(matrix: FeatureMatrix): void {
  const { numRows: n, numFeatures: f } = matrix;
  const problems: string[] = [];
  if (matrix.data.length !== n * f) {
    problems.push(`data has ${matrix.data.length} values, expected ${n * f}`);
  }
  if (matrix.featureNames.length !== f) {
    problems.push(`${matrix.featureNames.length} feature names for ${f} features`);
  }
  for (
    const [name, values] of [
      ["label", matrix.label],
      ["weight", matrix.weight],
      ["group", matrix.group],
      ["processingDates", matrix.processingDates],
    ] as const
  ) {
    if (values && values.length !== n) {
      problems.push(`${name} has ${values.length} values for ${n} rows`);
    }
  }
  const ranker = matrix.modelType === "alert_ranker";
  if (ranker && !matrix.group) problems.push("the ranker needs query groups");
  for (let i = 0; i < n && problems.length === 0; i++) {
    const y = matrix.label[i];
    if (Number.isNaN(y)) continue;
    const valid = ranker ? Number.isInteger(y) && y >= 0 && y <= 30 : y === 0 || y === 1;
    if (!valid) {
      problems.push(`label ${y} at row ${i} (expected ${ranker ? "a grade 0..30" : "0 or 1"})`);
    }
  }
  if (problems.length > 0) {
    throw new RiskTrainError("DATA_INVALID", `Invalid feature matrix: ${problems.join("; ")}`);
  }
}

function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

/**
 * Trains a model on the labelled rows of `matrix`: time split, successive-halving search
 * over cross-validated configurations, the winner refitted; the public `train`
 * (src/notebook.ts) documents it in full.
 */
export async function train(
  matrix: FeatureMatrix,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const parsed = TrainOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `Invalid train options: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`,
      { cause: parsed.error },
    );
  }
  const opts = parsed.data;
  const { modelType } = matrix;
  if (opts.modelType && opts.modelType !== modelType) {
    throw new RiskTrainError(
      "CONFIG_INVALID",
      `The matrix was built for ${modelType}, not for the requested ${opts.modelType}`,
    );
  }
  checkMatrix(matrix);
  throwIfAborted(opts.signal);
  const timings: Record<string, number> = {};
  const started = performance.now();
  const configHash = await trainingKey(matrix, options);

  // Split by time; keep the labelled rows, training part first.
  const split = timeSplit(matrix, opts);
  const nTrain = split.trainRows.length;
  const rows = new Uint32Array(nTrain + split.testRows.length);
  rows.set(split.trainRows);
  rows.set(split.testRows, nTrain);
  const labelled = subsetMatrix(matrix, rows);
  const trainIndex = Uint32Array.from({ length: nTrain }, (_, i) => i);
  logger.info("Split {rows} labelled rows by date: test from {testStart}", {
    rows: rows.length,
    trainRows: nTrain,
    testRows: split.testRows.length,
    testStart: split.testStartDate,
  });

  // Folds and configurations, both drawn from the one seeded generator.
  const random = createRandom(opts.seed);
  const scorer = modelType !== "alert_ranker";
  const testDays = new Set(labelled.processingDates.subarray(nTrain)).size;
  const chosen = chooseFolds(labelled, trainIndex, testDays, opts, random);
  const { folds } = chosen;
  const imbalance = imbalanceDecision(
    modelType,
    labelled.label,
    labelled.weight,
    trainIndex,
    opts.imbalance,
  );
  const configs: Hyperparameters[] = [{ ...DEFAULT_HYPERPARAMETERS, ...opts.params }];
  for (let t = 1; t < opts.trials; t++) {
    configs.push({ ...sampleHyperparameters(random), ...opts.params });
  }
  const paramsOf = (c: number) => lightgbmParams(modelType, configs[c], imbalance, opts.seed);
  timings.split_ms = elapsed(started);

  const metric = cvMetricName(modelType);
  const workers = Math.max(
    1,
    Math.min(opts.workers ?? navigator.hardwareConcurrency, configs.length * opts.folds),
  );
  // Every job reads the labelled rows from shared memory. Validation rows weigh 1 each, so
  // cross-validated metrics are unweighted like the test metrics (explicit ones: a Dataset
  // made by reference to a weighted one gets zero weights when given none).
  const { numFeatures, data, label, weight, group, featureNames, categorical } = labelled;
  const source = shareSource({
    numRows: labelled.numRows,
    numFeatures,
    data,
    label,
    weight,
    group,
    featureNames,
    categorical,
  });
  const validSource = labelled.weight
    ? shareSource({ ...source, weight: new Float32Array(labelled.numRows).fill(1) })
    : source;
  const testRows = Int32Array.from({ length: rows.length - nTrain }, (_, i) => nTrain + i);
  let bestScore = NaN;
  const foldCurves = new Map<number, Float64Array[]>();
  let bestTrial = -1;
  await using pool = new TrainingPool({ size: workers });
  // Each stage's progress counts boosting rounds against its budget (see TrainProgress).
  const schedule = halvingSchedule(configs.length, opts.numBoostRound);
  const searchBudget = new RoundBudget(
    schedule.reduce((sum, rung) => sum + rung.keep * rung.rounds, 0) * folds.length,
  );
  const run = async (
    job: Omit<TrainingJob, "source" | "validSource">,
    progress: Omit<TrainProgress, "iteration" | "bestScore" | "done" | "total">,
    budget: RoundBudget,
  ) => {
    const share = budget.job(job.numBoostRound);
    const report = (iteration: number) =>
      opts.onProgress?.({
        ...progress,
        iteration,
        bestScore,
        done: budget.done,
        total: budget.total,
      });
    const result = await pool.run({ ...job, source, validSource }, {
      signal: opts.signal,
      onProgress: opts.onProgress && ((iteration) => {
        share.advance(iteration + 1);
        report(iteration + 1);
      }),
    });
    share.finish();
    report(result.numIterations);
    return result;
  };

  // Search: successive halving over the configurations, each scored by k-fold CV. Jobs
  // go fold by fold, so that a worker reuses the Datasets it built for a fold.
  const searchStart = performance.now();
  const { best, result, history } = await successiveHalving(
    configs.length,
    opts.numBoostRound,
    async (batch, rounds, rung) => {
      // Configurations that converged at a lower rung are not trained again.
      searchBudget.skip((schedule[rung].keep - batch.length) * rounds * folds.length);
      const curves = folds.map((fold, f) =>
        batch.map((c) =>
          run(
            {
              params: paramsOf(c),
              numBoostRound: rounds,
              trainRows: fold.train,
              validRows: fold.valid,
              earlyStoppingRounds: opts.earlyStoppingRounds,
              returnModel: false,
              datasetKey: `fold:${f}`,
            },
            { stage: "search", trial: c, fold: f, rung },
            searchBudget,
          ).then((r) => Float64Array.from(r.evalHistory.valid[metric]))
        )
      );
      // A trial is scored (and logged) as soon as its last fold ends.
      return await Promise.all(batch.map(async (c, i) => {
        foldCurves.set(c, await Promise.all(curves.map((byConfig) => byConfig[i])));
        const summary = summariseCv(
          foldCurves.get(c)!,
          rounds,
        );
        if (!(summary.mean <= bestScore)) {
          bestScore = summary.mean;
          bestTrial = c;
        }
        logger.info(
          "Trial {trial}/{trials} (rung {rung}): {metric} {score} ± {std} at {rounds} rounds; " +
            "best trial {bestTrial}: {bestScore}",
          {
            trial: c,
            trials: configs.length,
            rung,
            metric,
            score: summary.mean,
            std: summary.std,
            rounds: summary.bestIteration,
            budget: rounds,
            bestTrial,
            bestScore,
          },
        );
        return { ...summary, score: summary.mean };
      }));
    },
  );
  timings.search_ms = elapsed(searchStart);
  logger.info("Chose trial {trial}: cross-validated {metric} {score} at {rounds} rounds", {
    trial: best,
    metric,
    score: result.mean,
    std: result.std,
    rounds: result.bestIteration,
  });

  // Final fit on the whole training part, and out-of-fold fits for the threshold.
  throwIfAborted(opts.signal);
  const fitStart = performance.now();
  const rounds = result.bestIteration;
  const finalParams = paramsOf(best);
  const finalBudget = new RoundBudget(rounds);
  const thresholdBudget = new RoundBudget(rounds * folds.length);
  const fit = (
    trainRows: Uint32Array | Int32Array,
    validRows: Uint32Array | Int32Array,
    fold: number,
  ) =>
    run({
      params: finalParams,
      numBoostRound: rounds,
      trainRows,
      validRows,
      returnModel: fold === -1,
      // The out-of-fold fits reuse the fold's Datasets from the search.
      datasetKey: fold === -1 ? undefined : `fold:${fold}`,
    }, {
      stage: fold === -1 ? "final" : "threshold",
      trial: best,
      fold,
      rung: -1,
    }, fold === -1 ? finalBudget : thresholdBudget);
  const [final, ...outOfFold] = await Promise.all([
    fit(trainIndex, testRows, -1),
    ...(scorer ? folds.map((fold, f) => fit(fold.train, fold.valid, f)) : []),
  ]);
  timings.final_fit_ms = elapsed(fitStart);

  const evaluateStart = performance.now();
  let threshold: number | null = null;
  // Out-of-fold score per training row for the report (NaN: the row was never validated).
  let oofByRow: Float64Array | null = null;
  const metrics: Record<string, number> = {};
  let calibration = null;
  // Out-of-fold predictions exist for the validated rows only (time folds: the later dates).
  const oofRows: number[] = [];
  const oofPrediction: number[] = [];
  let oofPositives = 0;
  if (scorer) {
    folds.forEach((fold, f) =>
      fold.valid.forEach((row, i) => {
        oofRows.push(row);
        oofPrediction.push(outOfFold[f].validPredictions![i]);
      })
    );
    const oofLabel = Float32Array.from(oofRows, (row) => labelled.label[row]);
    const oof = Float64Array.from(oofPrediction);
    oofPositives = oofLabel.reduce((a, y) => a + y, 0);
    if (oofPositives > 0 && oofPositives < oofLabel.length) {
      const bestF1 = bestF1Threshold(oofLabel, oof);
      threshold = bestF1.threshold;
      calibration = fitCalibration(opts.calibration, oofLabel, oof);
      metrics.cv_f1_at_threshold = bestF1.f1;
    }
    const byRow = oofByRow = new Float64Array(nTrain).fill(NaN);
    oofRows.forEach((row, i) => byRow[row] = oof[i]);
  }
  const evaluation: TestEvaluation = await evaluateTest(labelled, nTrain, final.validPredictions!, {
    threshold,
    calibration,
    alertBudget: opts.alertBudget,
    seed: opts.seed,
    previous: opts.previous,
  });
  Object.assign(metrics, evaluation.result.metrics, {
    [`cv_${metric}_mean`]: result.mean,
    [`cv_${metric}_std`]: result.std,
  });
  const reportData = await evaluationData({
    labelled,
    nTrain,
    testScores: final.validPredictions!,
    outOfFold: oofByRow,
    foldCurves: foldCurves.get(best)!,
    metric,
    modelText: final.modelText!,
    seed: opts.seed,
  });
  timings.evaluate_ms = elapsed(evaluateStart);
  timings.total_ms = elapsed(started);

  const weak = weakReasons(modelType, final.numIterations, evaluation);
  if (scorer && (oofPositives === 0 || oofPositives === oofRows.length)) {
    weak.push(
      `the validated training rows hold ${oofPositives} positive of ${oofRows.length} (no threshold or calibration can be fitted)`,
    );
  }
  if (weak.length > 0) {
    if (!opts.allowWeak) {
      throw new RiskTrainError(
        "NO_SIGNAL",
        `NO_SIGNAL: the ${modelType} learned nothing usable: ${weak.join("; ")} (${
          weakFigures(modelType, final.numIterations, evaluation)
        }). Nothing was saved (--allow-weak saves it, marked weak)`,
      );
    }
    logger.warn("Saving a weak {modelType}: {reasons}", { modelType, reasons: weak.join("; ") });
  }

  return assembleModel({
    matrix,
    labelled,
    split,
    options: opts,
    configHash,
    final,
    finalParams,
    metrics,
    evaluation,
    reportData,
    calibration,
    threshold,
    weak,
    imbalance,
    metric,
    chosen,
    oofRows,
    cvSummary: result,
    search: { configs, schedule, best, history },
    timings,
    workers,
  });
}
