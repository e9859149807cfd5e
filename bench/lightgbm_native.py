"""Native LightGBM reference for bench/lightgbm_bench.ts.

Usage: python3 lightgbm_native.py DATA_PREFIX ROUNDS NUM_THREADS
Reads DATA_PREFIX_X.npy (column-major float32, as risktrain holds it) and
DATA_PREFIX_y.npy; prints one JSON line: dataset and training milliseconds, peak RSS.
"""
import json
import resource
import sys
import time

import lightgbm as lgb
import numpy as np

prefix, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.load(f"{prefix}_X.npy")
y = np.load(f"{prefix}_y.npy")
params = {
    "objective": "binary",
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": threads,
    "verbosity": -1,
    "seed": 1,
}
started = time.perf_counter()
dataset = lgb.Dataset(X, label=y, params=params, free_raw_data=False).construct()
dataset_ms = (time.perf_counter() - started) * 1000
started = time.perf_counter()
booster = lgb.train(params, dataset, num_boost_round=rounds)
train_ms = (time.perf_counter() - started) * 1000
print(json.dumps({
    "datasetMs": dataset_ms,
    "trainMs": train_ms,
    "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "numTrees": booster.num_trees(),
}))
