import assert from "node:assert/strict";
import { evaluateScores } from "../src/metrics/evaluate_scores.ts";
import { bootstrapDateCounts, quantile } from "../src/metrics/bootstrap.ts";
import { brierScore, expectedCalibrationError } from "../src/metrics/calibration_error.ts";
import { precisionAtK } from "../src/metrics/precision_at_k.ts";
import { createRandom } from "../src/random.ts";
import { python } from "./support/python_json.ts";

/** A binary test set over `days` dates with tied scores, seen flags and a baseline. */
function binaryCase(seed: number, days: number, perDay: number) {
  const random = createRandom(seed);
  const n = days * perDay;
  const labels = new Float32Array(n), scores = new Float64Array(n);
  const dates = new Int32Array(n), seen = new Uint8Array(n), baseline = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dates[i] = 19800 + Math.floor(i / perDay);
    labels[i] = random.nextFloat() < 0.25 ? 1 : 0;
    scores[i] = Math.round(Math.min(1, 0.3 * labels[i] + 0.7 * random.nextFloat()) * 50) / 50;
    seen[i] = random.nextFloat() < 0.7 ? 1 : 0;
    baseline[i] = Math.round(random.nextFloat() * 10) / 10 + 0.05 * labels[i];
  }
  return { labels, scores, dates, seen, baseline };
}

const close = (actual: number, want: number, what: string, tolerance = 1e-12) =>
  assert.ok(
    Math.abs(actual - want) <= tolerance,
    `${what}: ${actual} vs the reference ${want}`,
  );

const POINT_SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score, log_loss, brier_score_loss
d = json.load(sys.stdin)
y = np.array(d["y"]); s = np.array(d["s"]); dates = np.array(d["dates"]); seen = np.array(d["seen"])
b = np.array(d["b"])
def ece(y, p, bins=10):
  idx = np.minimum((p * bins).astype(int), bins - 1)
  return sum(abs(y[idx == k].sum() - p[idx == k].sum()) for k in range(bins)) / len(y)
def at_k(y, s, k):
  top = np.argsort(-s, kind="stable")[:k]
  return y[top].sum() / len(top), (y[top].sum() / y.sum()) if y.sum() > 0 else np.nan
def daily(score, k_of):
  ps, rs = [], []
  for day in np.unique(dates):
    m = dates == day
    p, r = at_k(y[m], score[m], k_of(m.sum()))
    ps.append(p); rs.append(r)
  return float(np.mean(ps)), float(np.nanmean(rs))
out = {
  "test_auc": roc_auc_score(y, s), "test_pr_auc": average_precision_score(y, s),
  "test_log_loss": log_loss(y, s), "test_brier": brier_score_loss(y, s), "test_ece": ece(y, s),
  "test_auc_seen": roc_auc_score(y[seen == 1], s[seen == 1]),
  "test_pr_auc_unseen": average_precision_score(y[seen == 0], s[seen == 0]),
  "test_rows_seen": int(seen.sum()), "test_positives_unseen": int(y[seen == 0].sum()),
  "baseline_auc": roc_auc_score(y, b),
}
out["test_precision_at_budget"], out["test_recall_at_budget"] = daily(s, lambda n: d["k"])
out["test_precision_at_5pct"], out["test_recall_at_5pct"] = daily(s, lambda n: max(1, int(np.ceil(0.05 * n))))
out["baseline_precision_at_budget"], _ = daily(b, lambda n: d["k"])
pred = s >= d["threshold"]
out["test_precision"] = y[pred].sum() / pred.sum()
out["test_recall"] = y[pred].sum() / y.sum()
first = dates == dates.min()
out["first_day_auc"] = roc_auc_score(y[first], s[first])
print(json.dumps(out))
`;

Deno.test("evaluateScores: binary metrics over all test rows equal scikit-learn's and numpy's", async () => {
  const c = binaryCase(5, 6, 400);
  const result = evaluateScores(
    { kind: "binary", ...c },
    { alertBudget: 30, threshold: 0.5, bootstrapSamples: 20, seed: 1 },
  );
  const expected = await python(POINT_SCRIPT, {
    y: Array.from(c.labels),
    s: Array.from(c.scores),
    dates: Array.from(c.dates),
    seen: Array.from(c.seen),
    b: Array.from(c.baseline),
    k: 30,
    threshold: 0.5,
  });
  for (const [name, want] of Object.entries(expected)) {
    if (name === "first_day_auc") continue;
    close(result.metrics[name], want, name);
  }
  close(result.perDate[0].metrics.test_auc, expected.first_day_auc, "AUC of the first date");
  assert.equal(result.perDate.length, 6);
  assert.equal(result.perDate[0].date, "2024-03-18");
  assert.equal(result.perDate[0].rows, 400);
  close(result.metrics.lift_auc, expected.test_auc - expected.baseline_auc, "lift");
});

const BOOTSTRAP_SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import roc_auc_score
d = json.load(sys.stdin)
y = np.array(d["y"]); s = np.array(d["s"]); dates = np.array(d["dates"])
days = np.unique(dates); D = len(days); counts = np.array(d["counts"]).reshape(-1, D)
def at_k(m):
  top = np.argsort(-s[m], kind="stable")[:d["k"]]
  return y[m][top].mean()
daily = np.array([at_k(dates == day) for day in days])
aucs, precs = [], []
for row in counts:
  rows = np.concatenate([np.flatnonzero(dates == day) for day, c in zip(days, row) for _ in range(c)])
  aucs.append(roc_auc_score(y[rows], s[rows]))
  precs.append(np.repeat(daily, row).mean())
print(json.dumps({
  "auc_low": np.percentile(aucs, 2.5), "auc_high": np.percentile(aucs, 97.5),
  "p_low": np.percentile(precs, 2.5), "p_high": np.percentile(precs, 97.5),
}))
`;

Deno.test("evaluateScores: bootstrap intervals resample dates, as numpy over the same draws", async () => {
  const c = binaryCase(9, 8, 150);
  const samples = 200, seed = 17;
  const result = evaluateScores(
    { kind: "binary", labels: c.labels, scores: c.scores, dates: c.dates },
    { alertBudget: 20, bootstrapSamples: samples, seed },
  );
  const counts = bootstrapDateCounts(8, samples, seed);
  const expected = await python(BOOTSTRAP_SCRIPT, {
    y: Array.from(c.labels),
    s: Array.from(c.scores),
    dates: Array.from(c.dates),
    counts: Array.from(counts),
    k: 20,
  });
  close(result.intervals.test_auc.low, expected.auc_low, "AUC 2.5%");
  close(result.intervals.test_auc.high, expected.auc_high, "AUC 97.5%");
  close(result.intervals.test_precision_at_budget.low, expected.p_low, "precision@20 2.5%");
  close(result.intervals.test_precision_at_budget.high, expected.p_high, "precision@20 97.5%");
  assert.ok(result.intervals.test_auc.low < result.metrics.test_auc);
  assert.ok(result.intervals.test_auc.high > result.metrics.test_auc);
  // Seeded: the same seed draws the same intervals, another seed others.
  const again = evaluateScores(
    { kind: "binary", labels: c.labels, scores: c.scores, dates: c.dates },
    { alertBudget: 20, bootstrapSamples: samples, seed },
  );
  assert.deepEqual(again.intervals, result.intervals);
  const other = evaluateScores(
    { kind: "binary", labels: c.labels, scores: c.scores, dates: c.dates },
    { alertBudget: 20, bootstrapSamples: samples, seed: seed + 1 },
  );
  assert.notDeepEqual(other.intervals.test_auc, result.intervals.test_auc);
});

Deno.test("precisionAtK breaks ties by row order and works every row of a short day", () => {
  const label = new Float32Array([0, 1, 1, 0, 1]);
  const score = new Float64Array([0.5, 0.5, 0.9, 0.5, 0.1]);
  assert.deepEqual(precisionAtK(label, score, 2), {
    worked: 2,
    hits: 1,
    positives: 3,
    precision: 0.5,
    recall: 1 / 3,
  });
  assert.equal(precisionAtK(label, score, 10).worked, 5);
  assert.equal(precisionAtK(new Float32Array([0, 0]), new Float64Array([1, 0]), 1).recall, NaN);
});

Deno.test("quantile interpolates as numpy.percentile's linear method", async () => {
  const values = [3, 1, 4, 1, 5, 9, 2, 6, NaN];
  const expected = await python(
    `import json,sys\nimport numpy as np\nv=[x for x in json.load(sys.stdin) if x is not None]\nprint(json.dumps({"a": np.percentile(v, 2.5), "b": np.percentile(v, 97.5), "c": np.percentile(v, 50)}))`,
    values.map((v) => (Number.isNaN(v) ? null : v)),
  );
  close(quantile(values, 0.025), expected.a, "2.5%");
  close(quantile(values, 0.975), expected.b, "97.5%");
  close(quantile(values, 0.5), expected.c, "median");
});

Deno.test("brierScore and expectedCalibrationError equal scikit-learn's and numpy's (weighted)", async () => {
  const c = binaryCase(3, 1, 500);
  const weight = Float32Array.from(c.labels, (_, i) => 0.5 + (i % 3));
  const expected = await python(
    `import json,sys
import numpy as np
from sklearn.metrics import brier_score_loss
d=json.load(sys.stdin); y=np.array(d["y"]); p=np.array(d["p"]); w=np.array(d["w"])
idx=np.minimum((p*15).astype(int),14)
ece=sum(abs((w*y)[idx==k].sum()-(w*p)[idx==k].sum()) for k in range(15))/w.sum()
print(json.dumps({"brier": brier_score_loss(y,p,sample_weight=w), "ece": ece}))`,
    { y: Array.from(c.labels), p: Array.from(c.scores), w: Array.from(weight) },
  );
  close(brierScore(c.labels, c.scores, weight), expected.brier, "Brier");
  close(expectedCalibrationError(c.labels, c.scores, weight, 15), expected.ece, "ECE");
});

Deno.test("evaluateScores: ranking precision@k per group, NDCG and MAP, and per date", () => {
  // Two dates, one group each; grade >= 2 is relevant for precision@k.
  const labels = new Float32Array([3, 0, 2, 1, 0, 0, 1, 2]);
  const scores = new Float64Array([0.9, 0.8, 0.7, 0.1, 0.9, 0.8, 0.7, 0.1]);
  const groups = new Int32Array([0, 0, 0, 0, 1, 1, 1, 1]);
  const dates = new Int32Array([20000, 20000, 20000, 20000, 20001, 20001, 20001, 20001]);
  const result = evaluateScores(
    { kind: "ranking", labels, scores, groups, dates, baseline: new Float64Array(8).fill(0) },
    { rankAt: [2], bootstrapSamples: 10 },
  );
  assert.equal(result.perDate[0].metrics["test_precision@2"], 0.5);
  assert.equal(result.perDate[1].metrics["test_precision@2"], 0);
  assert.equal(result.metrics["test_precision@2"], 0.25);
  assert.equal(result.perDate[1].positives, 1);
  assert.ok(result.metrics["test_ndcg@2"] > 0 && result.metrics["test_ndcg@2"] < 1);
  assert.ok(Number.isFinite(result.metrics["lift_ndcg@2"]));
});

Deno.test("evaluateScores rejects mismatched lengths and out-of-range probabilities", () => {
  const dates = new Int32Array([1, 1]);
  assert.throws(
    () =>
      evaluateScores({
        kind: "binary",
        scores: new Float64Array([0.1, 0.2]),
        labels: new Float32Array([0, 1, 1]),
        dates,
      }),
    /labels has 3 values/,
  );
  assert.throws(
    () =>
      evaluateScores({
        kind: "binary",
        scores: new Float64Array([0.1, 1.2]),
        labels: new Float32Array([0, 1]),
        dates,
      }),
    /outside \[0, 1\]/,
  );
});
