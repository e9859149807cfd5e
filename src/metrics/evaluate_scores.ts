/**
 * The whole test-set evaluation of a model's scores in one pure function: every metric
 * over all test dates, per test date, and with a seeded bootstrap 95% interval over dates;
 * alert-budget precision and recall; the seen/unseen-address split; calibration error
 * before and after a calibration map; and the lift over a baseline score.
 *
 * @module
 */
import type { Calibration } from "../types.ts";
import { type ScoreOrder, scoreOrder, weightedAucAp } from "./_weighted_curve.ts";
import { bootstrapDateCounts, quantile } from "./bootstrap.ts";
import { applyCalibration } from "./calibration.ts";
import { calibrationBin } from "./calibration_error.ts";
import type { NumericArray } from "./numeric_array.ts";
import { budgetOfShare, precisionAtK } from "./precision_at_k.ts";
import { groupBounds, meanAveragePrecision, ndcgAt } from "./ranking.ts";

/** The test rows to evaluate, as typed arrays of one length. */
export interface ScoreEvaluationInput {
  /** `binary` (alert_scorer, cluster_scorer: probabilities) or `ranking` (alert_ranker). */
  kind: "binary" | "ranking";
  /** The model's predictions: probabilities in [0, 1] for binary, any scores for ranking. */
  scores: NumericArray;
  /** Labels: 0 or 1 for binary, grades 0..30 for ranking. */
  labels: NumericArray;
  /** Row weights of the binary metrics (not of precision@k, which counts alerts), or null. */
  weights?: NumericArray | null;
  /** processing_date per row, days since 1970-01-01: the unit of the bootstrap. */
  dates: Int32Array;
  /** Query group per row (ranking; contiguous), else null. */
  groups?: Int32Array | null;
  /** 1 where the row's address appears in the training part, 0 where not; or null. */
  seen?: Uint8Array | null;
  /** A baseline's scores for the same rows (higher = riskier), or null. No NaN. */
  baseline?: NumericArray | null;
}

/** Options of {@linkcode evaluateScores} (defaults in brackets). */
export interface EvaluateScoresOptions {
  /** Binary: score threshold of test_precision/recall/f1, or null for none [null]. */
  threshold?: number | null;
  /** Binary: a calibration map; adds Brier, ECE and log loss after it [none]. */
  calibration?: Calibration | null;
  /** Binary: alerts an investigator works per processing date [100]. */
  alertBudget?: number;
  /** Binary: further budgets as shares of a day's alerts [0.01, 0.05]. */
  budgetShares?: readonly number[];
  /** Ranking: the cut-offs of NDCG and precision [5, 10, 20]. */
  rankAt?: readonly number[];
  /** Ranking: the lowest grade counted relevant by precision@k [2, high or critical]. */
  relevantGrade?: number;
  /** Bootstrap replicates, resampling dates [1000]. */
  bootstrapSamples?: number;
  /** Seed of the bootstrap [0]. */
  seed?: number;
  /** Equal-width bins of the expected calibration error [10]. */
  eceBins?: number;
}

/** One test date's figures. */
export interface DateEvaluation {
  /** The processing_date, `YYYY-MM-DD`. */
  date: string;
  /** Rows of that date. */
  rows: number;
  /** Positive (binary) or relevant (ranking, grade >= relevantGrade) rows. */
  positives: number;
  /** The same metrics as the overall ones, on that date only (NaN where undefined). */
  metrics: Record<string, number>;
}

/** What {@linkcode evaluateScores} returns. */
export interface ScoreEvaluation {
  /** Every metric over all test rows by name; NaN where undefined (e.g. AUC of one class). */
  metrics: Record<string, number>;
  /** The bootstrap 95% interval (2.5th and 97.5th percentile) of every metric. */
  intervals: Record<string, { low: number; high: number }>;
  /** The metrics per test date, in date order. */
  perDate: DateEvaluation[];
  /** How the figures were obtained (budgets, bootstrap, bins), for the metadata. */
  method: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/** Per-date sums of row values, combined under date multiplicities. */
class DateSums {
  readonly sums: Float64Array;
  constructor(readonly dates: number) {
    this.sums = new Float64Array(dates);
  }
  combine(m: Float64Array): number {
    let s = 0;
    for (let d = 0; d < this.dates; d++) s += m[d] * this.sums[d];
    return s;
  }
}

/** Per-date values (NaN = no value that day) averaged over dates under multiplicities. */
function dateMean(values: Float64Array, m: Float64Array): number {
  let s = 0, n = 0;
  for (let d = 0; d < values.length; d++) {
    if (m[d] === 0 || Number.isNaN(values[d])) continue;
    s += m[d] * values[d];
    n += m[d];
  }
  return n === 0 ? NaN : s / n;
}

function checkInput(input: ScoreEvaluationInput): void {
  const n = input.scores.length;
  const arrays: [string, { length: number } | null | undefined][] = [
    ["labels", input.labels],
    ["weights", input.weights],
    ["dates", input.dates],
    ["groups", input.groups],
    ["seen", input.seen],
    ["baseline", input.baseline],
  ];
  for (const [name, values] of arrays) {
    if (values && values.length !== n) {
      throw new RangeError(`${name} has ${values.length} values for ${n} scores`);
    }
  }
  if (n === 0) throw new RangeError("Cannot evaluate zero rows");
  if (input.kind === "ranking" && !input.groups) {
    throw new RangeError("Ranking evaluation needs query groups");
  }
  for (let i = 0; i < n; i++) {
    const y = input.labels[i], s = input.scores[i];
    if (Number.isNaN(s) || (input.baseline && Number.isNaN(input.baseline[i]))) {
      throw new RangeError(`Score is NaN at row ${i}`);
    }
    if (input.kind === "binary") {
      if (y !== 0 && y !== 1) {
        throw new RangeError(`Binary labels must be 0 or 1: ${y} at row ${i}`);
      }
      if (!(s >= 0 && s <= 1)) throw new RangeError(`Probability outside [0, 1]: ${s} at row ${i}`);
    } else if (!(y >= 0) || !Number.isInteger(y)) {
      throw new RangeError(`Grades must be non-negative integers: ${y} at row ${i}`);
    }
    if (input.weights && !(input.weights[i] >= 0)) {
      throw new RangeError(`Weights must be non-negative numbers: ${input.weights[i]} at row ${i}`);
    }
  }
}

/** A metric family: its value for date multiplicities `m` and row weights `w` (base x m). */
type Kernel = (m: Float64Array, w: Float64Array) => Record<string, number>;

/**
 * Evaluates test scores. Binary: `test_auc`, `test_pr_auc`, `test_log_loss`, `test_brier`,
 * `test_ece`; with a threshold `test_precision`, `test_recall`, `test_f1`; per processing
 * date the precision and recall of the top `alertBudget` alerts (`test_precision_at_budget`,
 * `test_recall_at_budget`) and of the top 1% and 5% (`test_precision_at_1pct`, ...),
 * averaged over dates (recall over dates with positives); with `seen`, `test_auc_seen`,
 * `test_pr_auc_seen`, `test_rows_seen`, `test_positives_seen` and the same `_unseen`; with
 * a calibration, `test_brier_calibrated`, `test_ece_calibrated`, `test_log_loss_calibrated`.
 * Ranking: `test_ndcg@k`, `test_map`, `test_precision@k` (share of grade >= relevantGrade
 * in each group's top k, averaged over groups). With a baseline, `baseline_*` of the same
 * headline metrics and `lift_*` = model minus baseline. Every metric comes per date and
 * with a bootstrap interval: replicates draw the test dates with replacement (seeded),
 * each metric recomputed on the drawn dates' rows. Pure: the same input gives the same
 * output.
 *
 * @example
 * ```ts
 * import { evaluateScores } from "./evaluate_scores.ts";
 * const result = evaluateScores({
 *   kind: "binary",
 *   scores: new Float64Array([0.9, 0.2, 0.7, 0.4]),
 *   labels: new Float32Array([1, 0, 1, 0]),
 *   dates: new Int32Array([19000, 19000, 19001, 19001]),
 * }, { alertBudget: 1, bootstrapSamples: 50 });
 * console.assert(result.metrics.test_auc === 1 && result.perDate.length === 2);
 * ```
 */
export function evaluateScores(
  input: ScoreEvaluationInput,
  options: EvaluateScoresOptions = {},
): ScoreEvaluation {
  checkInput(input);
  const samples = options.bootstrapSamples ?? 1000;
  const seed = options.seed ?? 0;
  const n = input.scores.length;
  const dayList = [...new Set(input.dates)].sort((a, b) => a - b);
  const D = dayList.length;
  const dateIndex = new Int32Array(n);
  const indexOf = new Map(dayList.map((day, d) => [day, d]));
  for (let i = 0; i < n; i++) dateIndex[i] = indexOf.get(input.dates[i])!;
  const base = Float64Array.from({ length: n }, (_, i) => input.weights ? input.weights[i] : 1);

  const { kernel, method } = input.kind === "binary"
    ? binaryKernel(input, options, dateIndex, D)
    : rankingKernel(input, options, dateIndex, D);

  const w = new Float64Array(n);
  const evaluate = (m: Float64Array): Record<string, number> => {
    for (let i = 0; i < n; i++) w[i] = base[i] * m[dateIndex[i]];
    return kernel(m, w);
  };
  const metrics = evaluate(new Float64Array(D).fill(1));
  const perDate: DateEvaluation[] = dayList.map((day, d) => {
    const m = new Float64Array(D);
    m[d] = 1;
    const values = evaluate(m);
    return {
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      rows: values._rows,
      positives: values._positives,
      metrics: publicMetrics(values),
    };
  });
  const counts = bootstrapDateCounts(D, samples, seed);
  const replicates: Record<string, Float64Array> = {};
  for (const name of Object.keys(metrics)) replicates[name] = new Float64Array(samples);
  for (let b = 0; b < samples; b++) {
    const values = evaluate(Float64Array.from(counts.subarray(b * D, (b + 1) * D)));
    for (const name of Object.keys(metrics)) replicates[name][b] = values[name];
  }
  const intervals: Record<string, { low: number; high: number }> = {};
  for (const name of Object.keys(publicMetrics(metrics))) {
    intervals[name] = {
      low: quantile(replicates[name], 0.025),
      high: quantile(replicates[name], 0.975),
    };
  }
  return {
    metrics: publicMetrics(metrics),
    intervals,
    perDate,
    method: {
      ...method,
      bootstrap: {
        unit: "processing_date",
        samples,
        seed,
        dates: D,
        interval: "percentile 2.5-97.5, numpy linear interpolation; undefined replicates skipped",
      },
    },
  };
}

function publicMetrics(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) if (!name.startsWith("_")) out[name] = value;
  return out;
}

/** Day bounds: the rows of each date, for per-day top-k. */
function rowsByDate(dateIndex: Int32Array, D: number): Uint32Array[] {
  const lists: number[][] = Array.from({ length: D }, () => []);
  for (let i = 0; i < dateIndex.length; i++) lists[dateIndex[i]].push(i);
  return lists.map((rows) => Uint32Array.from(rows));
}

/** Per-date top-k precision and recall of `score` for each budget. */
function dailyTopK(
  label: NumericArray,
  score: NumericArray,
  days: Uint32Array[],
  budgets: readonly { name: string; k: (rows: number) => number }[],
): Record<string, { precision: Float64Array; recall: Float64Array }> {
  const out: Record<string, { precision: Float64Array; recall: Float64Array }> = {};
  for (const budget of budgets) {
    const precision = new Float64Array(days.length), recall = new Float64Array(days.length);
    days.forEach((rows, d) => {
      const y = Float64Array.from(rows, (i) => label[i]);
      const s = Float64Array.from(rows, (i) => score[i]);
      const top = precisionAtK(y, s, budget.k(rows.length));
      precision[d] = top.precision;
      recall[d] = top.recall;
    });
    out[budget.name] = { precision, recall };
  }
  return out;
}

function binaryKernel(
  input: ScoreEvaluationInput,
  options: EvaluateScoresOptions,
  dateIndex: Int32Array,
  D: number,
): { kernel: Kernel; method: Record<string, unknown> } {
  const { labels: y, scores: p, seen, baseline } = input;
  const n = p.length;
  const alertBudget = options.alertBudget ?? 100;
  if (!Number.isInteger(alertBudget) || alertBudget < 1) {
    throw new RangeError(`The alert budget must be a positive integer: ${alertBudget}`);
  }
  const shares = options.budgetShares ?? [0.01, 0.05];
  const bins = options.eceBins ?? 10;
  const threshold = options.threshold ?? null;
  const budgets = [
    { name: "budget", k: (_rows: number) => alertBudget },
    ...shares.map((share) => ({
      name: `${Math.round(share * 1000) / 10}pct`,
      k: (rows: number) => budgetOfShare(share, rows),
    })),
  ];
  const days = rowsByDate(dateIndex, D);
  const weights = input.weights;
  const wOf = (i: number) => weights ? weights[i] : 1;

  // Additive per-date sums: rows, positives, log loss, Brier, threshold counts, ECE bins.
  const sum = () => new DateSums(D);
  const rows = sum(), positives = sum(), mass = sum();
  const seenRows = sum(), seenPositives = sum();
  const eps = Number.EPSILON;
  const lossSums = (probability: NumericArray) => {
    const ll = sum(), brier = sum();
    const binMass = Array.from({ length: bins }, sum);
    const binLabel = Array.from({ length: bins }, sum);
    const binProb = Array.from({ length: bins }, sum);
    for (let i = 0; i < n; i++) {
      const d = dateIndex[i], w = wOf(i), q = Math.min(Math.max(probability[i], eps), 1 - eps);
      ll.sums[d] -= w * (y[i] === 1 ? Math.log(q) : Math.log(1 - q));
      brier.sums[d] += w * (probability[i] - y[i]) ** 2;
      const b = calibrationBin(probability[i], bins);
      binMass[b].sums[d] += w;
      binLabel[b].sums[d] += w * y[i];
      binProb[b].sums[d] += w * probability[i];
    }
    return (m: Float64Array, total: number) => {
      let ece = 0;
      for (let b = 0; b < bins; b++) {
        ece += Math.abs(binLabel[b].combine(m) - binProb[b].combine(m));
      }
      return total > 0
        ? { log_loss: ll.combine(m) / total, brier: brier.combine(m) / total, ece: ece / total }
        : { log_loss: NaN, brier: NaN, ece: NaN };
    };
  };
  const tp = sum(), fp = sum();
  for (let i = 0; i < n; i++) {
    const d = dateIndex[i], w = wOf(i);
    rows.sums[d]++;
    positives.sums[d] += y[i];
    mass.sums[d] += w;
    if (seen) {
      seenRows.sums[d] += seen[i];
      seenPositives.sums[d] += seen[i] * y[i];
    }
    if (threshold !== null && p[i] >= threshold) (y[i] === 1 ? tp : fp).sums[d] += w;
  }
  const weightedPositives = sum();
  for (let i = 0; i < n; i++) weightedPositives.sums[dateIndex[i]] += wOf(i) * y[i];
  const losses = lossSums(p);
  const calibrated = options.calibration ? applyCalibration(options.calibration, p) : null;
  const calibratedLosses = calibrated ? lossSums(calibrated) : null;
  const order = scoreOrder(p);
  const topK = dailyTopK(y, p, days, budgets);
  const baseOrder: ScoreOrder | null = baseline ? scoreOrder(baseline) : null;
  const baseTopK = baseline ? dailyTopK(y, baseline, days, budgets) : null;

  const kernel: Kernel = (m, w) => {
    const out: Record<string, number> = {};
    const total = mass.combine(m);
    out._rows = rows.combine(m);
    out._positives = positives.combine(m);
    const { auc, ap } = weightedAucAp(order, y, w);
    out.test_auc = auc;
    out.test_pr_auc = ap;
    const l = losses(m, total);
    out.test_log_loss = l.log_loss;
    out.test_brier = l.brier;
    out.test_ece = l.ece;
    if (calibratedLosses) {
      const c = calibratedLosses(m, total);
      out.test_log_loss_calibrated = c.log_loss;
      out.test_brier_calibrated = c.brier;
      out.test_ece_calibrated = c.ece;
    }
    if (threshold !== null) {
      const t = tp.combine(m), f = fp.combine(m), pos = weightedPositives.combine(m);
      out.test_precision = t + f === 0 ? 0 : t / (t + f);
      out.test_recall = pos === 0 ? 0 : t / pos;
      out.test_f1 = t === 0 ? 0 : (2 * t) / (2 * t + f + (pos - t));
    }
    for (const budget of budgets) {
      out[`test_precision_at_${budget.name}`] = dateMean(topK[budget.name].precision, m);
      out[`test_recall_at_${budget.name}`] = dateMean(topK[budget.name].recall, m);
    }
    if (seen) {
      for (const [suffix, value] of [["seen", 1], ["unseen", 0]] as const) {
        const split = weightedAucAp(order, y, w, { of: seen, value });
        out[`test_auc_${suffix}`] = split.auc;
        out[`test_pr_auc_${suffix}`] = split.ap;
      }
      out.test_rows_seen = seenRows.combine(m);
      out.test_positives_seen = seenPositives.combine(m);
      out.test_rows_unseen = out._rows - out.test_rows_seen;
      out.test_positives_unseen = out._positives - out.test_positives_seen;
    }
    if (baseOrder && baseTopK) {
      const b = weightedAucAp(baseOrder, y, w);
      out.baseline_auc = b.auc;
      out.baseline_pr_auc = b.ap;
      out.baseline_precision_at_budget = dateMean(baseTopK.budget.precision, m);
      out.lift_auc = auc - b.auc;
      out.lift_pr_auc = ap - b.ap;
      out.lift_precision_at_budget = out.test_precision_at_budget -
        out.baseline_precision_at_budget;
    }
    return out;
  };
  return {
    kernel,
    method: {
      alert_budget: alertBudget,
      budget_shares: [...shares],
      budget_rule:
        "per processing date, the top k alerts by score (ties by row order; all alerts when fewer than k); k of a share = ceil(share x alerts of the day); averaged over test dates, recall over dates with positives",
      ece_bins: bins,
      threshold,
      weighted: Boolean(weights),
    },
  };
}

function rankingKernel(
  input: ScoreEvaluationInput,
  options: EvaluateScoresOptions,
  dateIndex: Int32Array,
  D: number,
): { kernel: Kernel; method: Record<string, unknown> } {
  const { labels: y, scores: s, baseline } = input;
  const group = input.groups!;
  const rankAt = options.rankAt ?? [5, 10, 20];
  const relevant = options.relevantGrade ?? 2;
  const bounds = groupBounds(group);
  const G = bounds.length - 1;
  const groupDate = new Int32Array(G);
  const perGroup = (score: NumericArray) => {
    const values: Record<string, Float64Array> = {};
    for (const k of rankAt) {
      values[`ndcg@${k}`] = new Float64Array(G);
      values[`precision@${k}`] = new Float64Array(G);
    }
    values.map = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      const from = bounds[g], to = bounds[g + 1];
      const ly = y.subarray(from, to), ls = score.subarray(from, to);
      const lg = group.subarray(from, to);
      groupDate[g] = dateIndex[from];
      for (const k of rankAt) {
        values[`ndcg@${k}`][g] = ndcgAt(ly, ls, lg, k);
        values[`precision@${k}`][g] = precisionAtK(ly, ls, k, 0, ly.length, relevant).precision;
      }
      values.map[g] = meanAveragePrecision(ly, ls, lg);
    }
    return values;
  };
  const model = perGroup(s);
  const base = baseline ? perGroup(baseline) : null;
  const rows = new Float64Array(D), positives = new Float64Array(D);
  for (let i = 0; i < y.length; i++) {
    rows[dateIndex[i]]++;
    if (y[i] >= relevant) positives[dateIndex[i]]++;
  }
  const groupMean = (values: Float64Array, m: Float64Array) => {
    let sum = 0, count = 0;
    for (let g = 0; g < G; g++) {
      const weight = m[groupDate[g]];
      sum += weight * values[g];
      count += weight;
    }
    return count === 0 ? NaN : sum / count;
  };
  const headline = `ndcg@${rankAt.includes(10) ? 10 : rankAt[0]}`;
  const kernel: Kernel = (m) => {
    const out: Record<string, number> = {};
    out._rows = 0;
    out._positives = 0;
    for (let d = 0; d < D; d++) {
      out._rows += m[d] * rows[d];
      out._positives += m[d] * positives[d];
    }
    for (const [name, values] of Object.entries(model)) out[`test_${name}`] = groupMean(values, m);
    if (base) {
      out[`baseline_${headline}`] = groupMean(base[headline], m);
      out.baseline_map = groupMean(base.map, m);
      out[`lift_${headline}`] = out[`test_${headline}`] - out[`baseline_${headline}`];
    }
    return out;
  };
  return {
    kernel,
    method: {
      rank_at: [...rankAt],
      relevant_grade: relevant,
      precision_rule:
        "per query group, the share of rows with grade >= relevant_grade among its top k by score (ties by row order), averaged over groups",
    },
  };
}
