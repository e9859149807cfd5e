"""Native LightGBM side of risktrain's parity tests (tests/lightgbm_parity_test.ts).

Usage:
  python3 lightgbm_native.py breast-cancer OUT_DIR
      writes OUT_DIR/X.npy (float64, rows x features, C order) and OUT_DIR/y.npy (float32)
  python3 lightgbm_native.py train SPEC.json
      trains native LightGBM on the spec's data and writes its model text; loads
      risktrain's model text and writes that model's predictions of the same rows.

Exit code 3 with a message when the lightgbm package is missing or not 4.6.0.
"""
import json
import sys

import numpy as np

try:
    import lightgbm as lgb
except ImportError:
    print("python3 lacks the lightgbm package: pip install lightgbm==4.6.0 scikit-learn", file=sys.stderr)
    sys.exit(3)
if lgb.__version__ != "4.6.0":
    print(f"lightgbm 4.6.0 expected, found {lgb.__version__}", file=sys.stderr)
    sys.exit(3)


def breast_cancer(out_dir):
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    np.save(f"{out_dir}/X.npy", np.ascontiguousarray(data.data, dtype=np.float64))
    np.save(f"{out_dir}/y.npy", data.target.astype(np.float32))


def train(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    X = np.ascontiguousarray(np.load(spec["X"]))
    y = np.load(spec["y"])
    group = np.load(spec["group"]) if spec.get("group") else None
    dataset = lgb.Dataset(
        X,
        label=y,
        group=group,
        feature_name=spec["featureNames"],
        categorical_feature=spec["categorical"] if spec["categorical"] else "auto",
        free_raw_data=False,
    )
    booster = lgb.train(spec["params"], dataset, num_boost_round=spec["numBoostRound"])
    # model_to_string() appends the Python package's "pandas_categorical:" trailer;
    # the test compares the text before it.
    model_text = booster.model_to_string()
    with open(spec["nativeModel"], "w") as f:
        f.write(model_text)
    with open(spec["risktrainModel"]) as f:
        theirs = lgb.Booster(model_str=f.read())
    np.save(spec["nativePredictions"], booster.predict(X).astype(np.float64))
    np.save(spec["crossPredictions"], theirs.predict(X).astype(np.float64))
    np.save(spec["crossRawPredictions"], theirs.predict(X, raw_score=True).astype(np.float64))


if __name__ == "__main__":
    if sys.argv[1] == "breast-cancer":
        breast_cancer(sys.argv[2])
    elif sys.argv[1] == "train":
        train(sys.argv[2])
    else:
        print(f"unknown command: {sys.argv[1]}", file=sys.stderr)
        sys.exit(2)
