import assert from "node:assert/strict";
import { rocAuc } from "../src/metrics/roc_auc.ts";
import { averagePrecision } from "../src/metrics/average_precision.ts";
import { logLoss } from "../src/metrics/log_loss.ts";
import { bestF1Threshold, scoresAtThreshold } from "../src/metrics/threshold.ts";
import { groupBounds, meanAveragePrecision, ndcgAt } from "../src/metrics/ranking.ts";
import { createRandom } from "../src/random.ts";
import { python } from "./support/python_json.ts";

const BINARY_SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import (roc_auc_score, average_precision_score, log_loss,
  precision_score, recall_score, f1_score, precision_recall_curve)
d = json.load(sys.stdin)
y = np.array(d["label"], dtype=np.float64); s = np.array(d["score"], dtype=np.float64)
w = np.array(d["weight"], dtype=np.float64) if d["weight"] is not None else None
pred = (s >= d["threshold"]).astype(int)
p, r, t = precision_recall_curve(y, s, sample_weight=w)
with np.errstate(invalid="ignore", divide="ignore"):
  f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)[:-1]
out = {
  "auc": roc_auc_score(y, s, sample_weight=w),
  "ap": average_precision_score(y, s, sample_weight=w),
  "logloss": log_loss(y, s, sample_weight=w),
  "precision": precision_score(y, pred, sample_weight=w, zero_division=0),
  "recall": recall_score(y, pred, sample_weight=w, zero_division=0),
  "f1": f1_score(y, pred, sample_weight=w, zero_division=0),
  "best_f1": float(f1.max()),
  "f1_at_ours": f1_score(y, (s >= d["ours"]).astype(int), sample_weight=w, zero_division=0),
}
print(json.dumps(out))
`;

function binaryCase(seed: number, n: number, weighted: boolean) {
  const random = createRandom(seed);
  const label = new Float32Array(n);
  const score = new Float64Array(n);
  const weight = weighted ? new Float32Array(n) : null;
  for (let i = 0; i < n; i++) {
    label[i] = random.nextFloat() < 0.3 ? 1 : 0;
    // Rounded to two decimals so that many scores tie.
    score[i] =
      Math.round(Math.min(1, Math.max(0, 0.35 * label[i] + random.nextFloat() * 0.65)) * 100) / 100;
    if (weight) weight[i] = 0.1 + random.nextFloat();
  }
  return { label, score, weight };
}

for (const weighted of [false, true]) {
  Deno.test(`binary metrics equal scikit-learn's (${weighted ? "weighted" : "unweighted"}, with ties)`, async () => {
    const { label, score, weight } = binaryCase(weighted ? 7 : 3, 2000, weighted);
    const threshold = 0.5;
    const best = bestF1Threshold(label, score, weight);
    const expected = await python(BINARY_SCRIPT, {
      label: Array.from(label),
      score: Array.from(score),
      weight: weight ? Array.from(weight) : null,
      threshold,
      ours: best.threshold,
    });
    const close = (actual: number, want: number, what: string) =>
      assert.ok(Math.abs(actual - want) <= 1e-12, `${what}: ${actual} vs scikit-learn ${want}`);
    close(rocAuc(label, score, weight), expected.auc, "AUC");
    close(averagePrecision(label, score, weight), expected.ap, "average precision");
    close(logLoss(label, score, weight), expected.logloss, "log loss");
    const at = scoresAtThreshold(label, score, threshold, weight);
    close(at.precision, expected.precision, "precision");
    close(at.recall, expected.recall, "recall");
    close(at.f1, expected.f1, "F1");
    close(best.f1, expected.best_f1, "best F1");
    close(expected.f1_at_ours, expected.best_f1, "F1 at the chosen threshold");
  });
}

Deno.test("log loss clips probabilities 0 and 1 like scikit-learn", async () => {
  const label = new Float32Array([1, 0, 1, 0]);
  const score = new Float64Array([0, 1, 1, 0]);
  const expected = await python(
    `import json,sys\nfrom sklearn.metrics import log_loss\nd=json.load(sys.stdin)\nprint(json.dumps({"v": log_loss(d["y"], d["p"], labels=[0,1])}))`,
    { y: Array.from(label), p: Array.from(score) },
  );
  assert.ok(Math.abs(logLoss(label, score) - expected.v) <= 1e-9 * expected.v);
});

const RANKING_SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import ndcg_score, average_precision_score
d = json.load(sys.stdin)
y = np.array(d["label"], dtype=np.float64); s = np.array(d["score"], dtype=np.float64)
b = d["bounds"]
out = {}
for k in (1, 5, 10, 20):
  vals = [ndcg_score([2 ** y[b[g]:b[g+1]] - 1], [s[b[g]:b[g+1]]], k=k) for g in range(len(b) - 1)]
  out["ndcg@%d" % k] = float(np.mean(vals))
out["map"] = float(np.mean([average_precision_score(y[b[g]:b[g+1]] > 0, s[b[g]:b[g+1]]) for g in range(len(b) - 1)]))
print(json.dumps(out))
`;

Deno.test("NDCG@k (gain 2^rel-1) and MAP equal scikit-learn's per-group means", async () => {
  const random = createRandom(11);
  const sizes = Array.from({ length: 40 }, () => 2 + random.nextInt(30));
  const n = sizes.reduce((a, b) => a + b, 0);
  const label = new Float32Array(n), score = new Float64Array(n), group = new Int32Array(n);
  let row = 0;
  sizes.forEach((size, g) => {
    const first = row;
    for (let i = 0; i < size; i++, row++) {
      label[row] = random.nextInt(4);
      score[row] = Math.round((label[row] * 0.2 + random.nextFloat()) * 20) / 20; // ties
      group[row] = 100 + g;
    }
    label[first] = 3; // every group has a relevant row (scikit-learn scores empty groups 0)
  });
  const bounds = groupBounds(group);
  const expected = await python(RANKING_SCRIPT, {
    label: Array.from(label),
    score: Array.from(score),
    bounds: Array.from(bounds),
  });
  for (const k of [1, 5, 10, 20]) {
    const actual = ndcgAt(label, score, group, k);
    assert.ok(
      Math.abs(actual - expected[`ndcg@${k}`]) <= 1e-12,
      `ndcg@${k}: ${actual} vs ${expected[`ndcg@${k}`]}`,
    );
  }
  const map = meanAveragePrecision(label, score, group);
  assert.ok(Math.abs(map - expected.map) <= 1e-12, `map: ${map} vs ${expected.map}`);
});

Deno.test("ranking metrics score a group without relevant rows 1, as LightGBM does", () => {
  const label = new Float32Array([0, 0, 2, 0]);
  const score = new Float64Array([0.3, 0.1, 0.2, 0.9]);
  const group = new Int32Array([1, 1, 2, 2]);
  // Group 1 has no relevant row: 1. Group 2 ranks its relevant row second: 1/log2(3) and AP 1/2.
  assert.ok(Math.abs(ndcgAt(label, score, group, 10) - (1 + 1 / Math.log2(3)) / 2) < 1e-15);
  assert.equal(meanAveragePrecision(label, score, group), (1 + 0.5) / 2);
});

Deno.test("groupBounds() rejects a query group whose rows are not contiguous", () => {
  assert.throws(() => groupBounds(new Int32Array([1, 2, 1])), /not contiguous/);
});

Deno.test("binary metrics reject mismatched lengths, non-binary labels and one-class input", () => {
  assert.throws(() => rocAuc(new Float32Array([0, 1]), new Float64Array([0.1])), /lengths differ/);
  assert.throws(
    () => rocAuc(new Float32Array([0, 2]), new Float64Array([0.1, 0.2])),
    /must be 0 or 1/,
  );
  assert.throws(
    () => rocAuc(new Float32Array([1, 1]), new Float64Array([0.1, 0.2])),
    /both positive and negative/,
  );
  assert.throws(
    () => averagePrecision(new Float32Array([0, 0]), new Float64Array([0.1, 0.2])),
    /positive rows/,
  );
  assert.throws(
    () => logLoss(new Float32Array([0, 1]), new Float64Array([0.1, 1.2])),
    /outside \[0, 1\]/,
  );
});
