import assert from "node:assert/strict";
import { applyCalibration } from "../src/metrics/calibration.ts";
import { fitIsotonic, fitPlatt } from "../src/metrics/calibration_fit.ts";
import { createRandom } from "../src/random.ts";
import { python } from "./support/python_json.ts";

Deno.test("applyCalibration() interpolates isotonic points and clips at the ends", () => {
  const out = applyCalibration(
    { method: "isotonic", x: [0.2, 0.4, 0.8], y: [0.1, 0.3, 0.7] },
    new Float64Array([0, 0.2, 0.3, 0.6, 0.8, 1]),
  );
  const expected = [0.1, 0.1, 0.2, 0.5, 0.7, 0.7];
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-12);
});

Deno.test("applyCalibration() applies Platt scaling to the raw score", () => {
  const [p] = applyCalibration({ method: "platt", a: 2, b: -1 }, new Float64Array([0.5]));
  assert.ok(Math.abs(p - 1 / (1 + Math.exp(1))) < 1e-12);
});

Deno.test("applyCalibration() rejects isotonic points of unequal length", () => {
  assert.throws(
    () => applyCalibration({ method: "isotonic", x: [0, 1], y: [0] }, new Float64Array([0.5])),
    RangeError,
  );
});

const FIT_SCRIPT = `
import json, sys
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
d = json.load(sys.stdin)
y = np.array(d["y"]); p = np.array(d["p"]); q = np.array(d["q"])
iso = IsotonicRegression(out_of_bounds="clip").fit(p, y)
r = np.log(p / (1 - p))
lr = LogisticRegression(penalty=None, tol=1e-12, max_iter=10000).fit(r.reshape(-1, 1), y)
print(json.dumps({"iso": iso.predict(q).tolist(), "a": float(lr.coef_[0][0]), "b": float(lr.intercept_[0])}))
`;

Deno.test("fitIsotonic() and fitPlatt() equal scikit-learn's IsotonicRegression and LogisticRegression", async () => {
  const random = createRandom(21);
  const n = 3000;
  const y = new Float32Array(n), p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Over-confident scores with ties (rounded), as a boosted model's often are.
    const truth = random.nextFloat();
    y[i] = random.nextFloat() < truth ? 1 : 0;
    p[i] = Math.round(Math.min(0.999, Math.max(0.001, truth ** 2 * 0.8 + 0.1)) * 200) / 200;
  }
  const query = Float64Array.from({ length: 101 }, (_, i) => i / 100);
  const expected = await python<{ iso: number[]; a: number; b: number }>(FIT_SCRIPT, {
    y: Array.from(y),
    p: Array.from(p),
    q: Array.from(query),
  });
  const iso = applyCalibration(fitIsotonic(y, p), query);
  for (let i = 0; i < query.length; i++) {
    assert.ok(
      Math.abs(iso[i] - expected.iso[i]) < 1e-12,
      `isotonic at ${query[i]}: ${iso[i]} vs ${expected.iso[i]}`,
    );
  }
  const platt = fitPlatt(y, p);
  assert.equal(platt.method, "platt");
  if (platt.method === "platt") {
    assert.ok(Math.abs(platt.a - expected.a) < 1e-6, `a ${platt.a} vs ${expected.a}`);
    assert.ok(Math.abs(platt.b - expected.b) < 1e-6, `b ${platt.b} vs ${expected.b}`);
  }
});
