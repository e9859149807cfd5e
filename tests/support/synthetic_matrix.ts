/**
 * Seeded synthetic FeatureMatrix values for training tests: informative and noise
 * features, a categorical feature, labels that depend on them, unlabelled rows, and
 * for the ranker one query group per processing date.
 */
import { createRandom } from "../../src/random.ts";
import type { FeatureMatrix, ModelType } from "../../src/types.ts";

/** Options of {@linkcode syntheticMatrix}. */
export interface SyntheticMatrixOptions {
  /** Model type (default alert_scorer). */
  modelType?: ModelType;
  /** Rows per processing date (default 100). */
  rowsPerDay?: number;
  /** Processing dates, consecutive from 2024-01-01 (default 30). */
  days?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Share of rows left unlabelled (default 0.1). */
  unlabelled?: number;
}

/** A seeded synthetic matrix; the label depends on features f0, f1 and the category. */
export function syntheticMatrix(options: SyntheticMatrixOptions = {}): FeatureMatrix {
  const modelType = options.modelType ?? "alert_scorer";
  const rowsPerDay = options.rowsPerDay ?? 100;
  const days = options.days ?? 30;
  const random = createRandom(options.seed ?? 1);
  const numRows = rowsPerDay * days;
  const numFeatures = 6;
  const data = new Float32Array(numRows * numFeatures);
  const label = new Float32Array(numRows);
  const weight = new Float32Array(numRows);
  const processingDates = new Int32Array(numRows);
  const group = modelType === "alert_ranker" ? new Int32Array(numRows) : null;
  const firstDay = Date.UTC(2024, 0, 1) / 86_400_000;
  const ids: string[] = [];
  const gaussian = () => {
    const u = 1 - random.nextFloat(), v = random.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  for (let i = 0; i < numRows; i++) {
    const day = Math.floor(i / rowsPerDay);
    processingDates[i] = firstDay + day;
    if (group) group[i] = day;
    ids.push(`row-${i}`);
    const f = [
      gaussian(),
      gaussian(),
      gaussian(),
      gaussian(),
      random.nextFloat() * 100,
      random.nextInt(3),
    ];
    if (random.nextFloat() < 0.05) f[2] = NaN; // missing values
    for (let j = 0; j < numFeatures; j++) data[j * numRows + i] = f[j];
    const signal = 1.2 * f[0] - 0.8 * f[1] + (f[5] === 2 ? 1 : 0) + 0.5 * gaussian();
    label[i] = modelType === "alert_ranker"
      ? Math.max(0, Math.min(3, Math.floor(signal + 1.5)))
      : signal > 1.3
      ? 1
      : 0;
    weight[i] = 0.5 + 0.5 * random.nextFloat();
    if (random.nextFloat() < (options.unlabelled ?? 0.1)) label[i] = NaN;
  }
  return {
    modelType,
    numRows,
    numFeatures,
    data,
    featureNames: ["f0", "f1", "f2", "noise_a", "noise_b", "typology"],
    categorical: [{
      index: 5,
      name: "typology",
      categories: ["PEEL_CHAIN", "STRUCTURING", "MIXING_BEHAVIOR"],
    }],
    label,
    weight,
    group,
    ids,
    processingDates,
    provenance: {
      network: "torus",
      database: "risk_scoring_torus",
      startDate: "2024-01-01",
      endDate: new Date((firstDay + days - 1) * 86_400_000).toISOString().slice(0, 10),
      windowDays: 7,
      historyDays: 30,
      fingerprint: `synthetic-${options.seed ?? 1}-${numRows}`,
      missingFeatureColumns: [],
    },
  };
}
