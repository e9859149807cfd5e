import assert from "node:assert/strict";
import { applyCalibration } from "../src/metrics/calibration.ts";

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
