/**
 * The evaluation artifact beside a model, `<stem>.evaluation.json.gz`: the report's data
 * that is not in the metadata (see `EvaluationData`), as gzipped compact JSON whose typed
 * arrays are base64 of their little-endian bytes. (Not a `.json` name: the registry's
 * files are `<stem>.json`.)
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "npm:zod@4.6.7";
import { RiskTrainError } from "../errors.ts";
import type { EvaluationData } from "../types.ts";

/** The format version written in the artifact. */
export const EVALUATION_FORMAT = 1;

type Typed = Float32Array | Float64Array | Int32Array;

function encode(values: Typed): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

function decoder<T extends Typed>(kind: new (buffer: ArrayBuffer) => T, bytesPer: number) {
  return z.string().transform((text, ctx) => {
    const bytes = Buffer.from(text, "base64");
    if (bytes.length % bytesPer !== 0) {
      ctx.addIssue({ code: "custom", message: `Expected a multiple of ${bytesPer} bytes` });
      return z.NEVER;
    }
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return new kind(copy);
  });
}

const f32 = decoder(Float32Array, 4);
const f64 = decoder(Float64Array, 8);
const i32 = decoder(Int32Array, 4);

const EvaluationFileSchema = z.object({
  format: z.literal(EVALUATION_FORMAT),
  test: z.object({ score: f32, label: f32, date: i32, group: i32.nullable() }),
  train: z.object({ label: f32, date: i32, outOfFold: f32.nullable() }),
  cvCurve: z.object({ metric: z.string(), mean: f64, std: f64 }),
  featureChecks: z.object({ allMissing: z.array(z.string()), constant: z.array(z.string()) }),
  shap: z.object({
    rows: z.int().min(1),
    meanAbs: f64,
    features: z.array(z.string()),
    values: f32,
    featureValues: f32,
  }).nullable(),
});

/**
 * Encodes evaluation data as the artifact's bytes.
 *
 * @example
 * ```ts ignore
 * await Deno.writeFile("m.evaluation.json.gz", encodeEvaluation(model.evaluation!));
 * ```
 */
export function encodeEvaluation(data: EvaluationData): Uint8Array<ArrayBuffer> {
  const { test, train, cvCurve, featureChecks, shap } = data;
  const json = {
    format: EVALUATION_FORMAT,
    test: {
      score: encode(test.score),
      label: encode(test.label),
      date: encode(test.date),
      group: test.group ? encode(test.group) : null,
    },
    train: {
      label: encode(train.label),
      date: encode(train.date),
      outOfFold: train.outOfFold ? encode(train.outOfFold) : null,
    },
    cvCurve: { metric: cvCurve.metric, mean: encode(cvCurve.mean), std: encode(cvCurve.std) },
    featureChecks: {
      allMissing: [...featureChecks.allMissing],
      constant: [...featureChecks.constant],
    },
    shap: shap
      ? {
        rows: shap.rows,
        meanAbs: encode(shap.meanAbs),
        features: [...shap.features],
        values: encode(shap.values),
        featureValues: encode(shap.featureValues),
      }
      : null,
  };
  const bytes = gzipSync(new TextEncoder().encode(JSON.stringify(json) + "\n"));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<
    ArrayBuffer
  >;
}

/**
 * Decodes the artifact's bytes; `STORAGE` when they do not hold evaluation data of this
 * format (`path` names the file in the error).
 */
export function decodeEvaluation(bytes: Uint8Array, path: string): EvaluationData {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(gunzipSync(bytes)));
  } catch (error) {
    throw new RiskTrainError("STORAGE", `Evaluation data is not gzipped JSON: ${path}`, {
      cause: error,
    });
  }
  const parsed = EvaluationFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new RiskTrainError(
      "STORAGE",
      `Evaluation data does not match its format: ${path} (${
        z.prettifyError(parsed.error).replaceAll("\n", " ")
      })`,
      { cause: parsed.error },
    );
  }
  const { format: _format, ...data } = parsed.data;
  const { test, train, cvCurve, shap } = data;
  const n = test.score.length;
  const problems: string[] = [];
  if (
    test.label.length !== n || test.date.length !== n || (test.group && test.group.length !== n)
  ) {
    problems.push("test columns differ in length");
  }
  const m = train.label.length;
  if (train.date.length !== m || (train.outOfFold && train.outOfFold.length !== m)) {
    problems.push("training columns differ in length");
  }
  if (cvCurve.std.length !== cvCurve.mean.length) problems.push("CV curve lengths differ");
  if (
    shap && (shap.values.length !== shap.rows * shap.features.length ||
      shap.featureValues.length !== shap.values.length)
  ) problems.push("SHAP values do not match rows x features");
  if (problems.length > 0) {
    throw new RiskTrainError("STORAGE", `Evaluation data is inconsistent: ${path} (${problems})`);
  }
  return data;
}
