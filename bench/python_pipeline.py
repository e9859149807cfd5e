"""The reference pipeline risktrain is benchmarked against: the same work in Python.

Reads one network's date range from the same ClickHouse engine (chDB's Python package on
the same data directory), builds the features with pandas, and trains with the LightGBM
Python package exactly as risktrain's `train` does: the same time split, the same seeded
folds and hyperparameter configurations (the xoshiro128** generator is ported below, so the
draws are identical), successive halving with k-fold cross-validation and early stopping,
the final fit for the cross-validated number of rounds, and the test metrics.

    python3 bench/python_pipeline.py --data-dir DIR --network NAME --start-date D
        --end-date D --window-days N --model-type alert_scorer [--trials 20] [--folds 5]
        [--seed 42] [--out result.json]
    python3 bench/python_pipeline.py --matrix-dir DIR ...   (train on a matrix bench wrote)

Prints one JSON object: timings (seconds), metrics, chosen trial and rounds.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

MASK = 0xFFFFFFFF


class Random:
    """risktrain's seeded generator (src/train/random.ts): xoshiro128** seeded by splitmix32."""

    def __init__(self, seed):
        state = seed & MASK
        self.s = []
        for _ in range(4):
            state = (state + 0x9E3779B9) & MASK
            z = state
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
            self.s.append((z ^ (z >> 16)) & MASK)

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (32 - k))) & MASK

    def next_uint32(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 9) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 11)
        return result

    def next_float(self):
        high = self.next_uint32() >> 5
        low = self.next_uint32() >> 6
        return (high * 67108864 + low) / 9007199254740992

    def next_int(self, n):
        return math.floor(self.next_float() * n)

    def shuffle(self, values):
        for i in range(len(values) - 1, 0, -1):
            j = self.next_int(i + 1)
            values[i], values[j] = values[j], values[i]
        return values


def js_round(x):
    """JavaScript's Math.round: halves go up."""
    return math.floor(x + 0.5)


def to_precision(x, digits):
    """JavaScript's Number(x.toPrecision(digits))."""
    return float(f"{x:.{digits - 1}e}")


DEFAULT_HYPERPARAMETERS = dict(
    num_leaves=31, learning_rate=0.05, min_data_in_leaf=20, feature_fraction=0.8,
    bagging_fraction=0.8, bagging_freq=5, lambda_l1=0, lambda_l2=0, max_depth=-1,
)


def sample_hyperparameters(r):
    """src/train/search_space.ts sampleHyperparameters, draw for draw."""
    def log_uniform(low, high):
        return math.exp(math.log(low) + r.next_float() * (math.log(high) - math.log(low)))
    num_leaves = js_round(log_uniform(8, 256))
    learning_rate = to_precision(log_uniform(0.01, 0.3), 4)
    min_data_in_leaf = js_round(log_uniform(5, 200))
    feature_fraction = to_precision(0.5 + 0.5 * r.next_float(), 3)
    bagging_fraction = to_precision(0.5 + 0.5 * r.next_float(), 3)
    bagging_freq = (1 if r.next_float() < 0.5 else 5) if bagging_fraction < 1 else 0
    def regularisation():
        return 0 if r.next_float() < 0.5 else to_precision(log_uniform(1e-3, 10), 4)
    lambda_l1 = regularisation()
    lambda_l2 = regularisation()
    max_depth = -1 if r.next_float() < 0.5 else 3 + r.next_int(10)
    return dict(num_leaves=num_leaves, learning_rate=learning_rate,
                min_data_in_leaf=min_data_in_leaf, feature_fraction=feature_fraction,
                bagging_fraction=bagging_fraction, bagging_freq=bagging_freq,
                lambda_l1=lambda_l1, lambda_l2=lambda_l2, max_depth=max_depth)


def stratified_folds(label, k, r):
    """src/train/cv_folds.ts stratifiedFolds over positions 0..n-1."""
    positives = [p for p in range(len(label)) if label[p] > 0]
    negatives = [p for p in range(len(label)) if not label[p] > 0]
    fold_of = np.zeros(len(label), dtype=np.int32)
    nxt = 0
    for positions in (positives, negatives):
        for p in r.shuffle(positions):
            fold_of[p] = nxt % k
            nxt += 1
    return fold_of


def grouped_folds(group, k, r):
    """src/train/cv_folds.ts groupedFolds over positions 0..n-1 (groups contiguous)."""
    starts = [p for p in range(len(group)) if p == 0 or group[p] != group[p - 1]]
    starts.append(len(group))
    order = r.shuffle(list(range(len(starts) - 1)))
    sizes = [0] * k
    fold_of = np.zeros(len(group), dtype=np.int32)
    for g in order:
        f = sizes.index(min(sizes))
        fold_of[starts[g]:starts[g + 1]] = f
        sizes[f] += starts[g + 1] - starts[g]
    return fold_of


def halving_schedule(n, max_rounds, eta=3, min_rounds=10):
    rungs = 0
    while n / eta ** (rungs + 1) >= 1 and max_rounds / eta ** (rungs + 1) >= min_rounds:
        rungs += 1
    schedule, keep = [], n
    for r in range(rungs + 1):
        schedule.append((math.ceil(max_rounds / eta ** (rungs - r)), keep))
        keep = math.ceil(keep / eta)
    return schedule


def summarise_cv(curves, budget):
    length = min(len(c) for c in curves)
    stacked = np.array([c[:length] for c in curves])
    means = stacked.mean(axis=0)
    best = int(np.argmax(means))
    return dict(best_iteration=best + 1, mean=float(means[best]),
                std=float(stacked[:, best].std()), converged=all(len(c) < budget for c in curves))


def successive_halving(n, max_rounds, evaluate, eta=3):
    latest, history = {}, []
    alive = list(range(n))
    for rung, (rounds, keep) in enumerate(halving_schedule(n, max_rounds, eta)):
        alive = alive[:keep]
        pending = [c for c in alive if not (c in latest and latest[c]["converged"])]
        for c, result in zip(pending, evaluate(pending, rounds)):
            latest[c] = result
        history += [dict(rung=rung, rounds=rounds, trial=c, score=latest[c]["mean"]) for c in alive]
        alive.sort(key=lambda c: (-latest[c]["mean"], c))
    return alive[0], latest[alive[0]], history


def time_split(dates, labelled, test_fraction):
    days, counts = np.unique(dates[labelled], return_counts=True)
    wanted, count, cutoff = test_fraction * labelled.sum(), 0, days[0]
    for day, n in zip(days[::-1], counts[::-1]):
        count += n
        if count >= wanted:
            cutoff = day
            break
    return cutoff


def train(X, label, weight, group, dates, categorical, model_type, trials=20, folds=5, seed=42,
          num_boost_round=1000, early_stopping_rounds=50, test_fraction=0.2, num_threads=0):
    """risktrain's train() with the LightGBM Python package; X is row-major (rows x features)."""
    import lightgbm as lgb
    from sklearn.metrics import (average_precision_score, f1_score, log_loss, ndcg_score,
                                 precision_recall_curve, precision_score, recall_score,
                                 roc_auc_score)
    ranker = model_type == "alert_ranker"
    labelled = ~np.isnan(label)
    cutoff = time_split(dates, labelled, test_fraction)
    train_rows = np.flatnonzero(labelled & (dates < cutoff))
    test_rows = np.flatnonzero(labelled & (dates >= cutoff))
    y_train, y_test = label[train_rows], label[test_rows]
    r = Random(seed)
    fold_of = grouped_folds(group[train_rows], folds, r) if ranker else \
        stratified_folds(y_train, folds, r)
    configs = [dict(DEFAULT_HYPERPARAMETERS)] + [sample_hyperparameters(r) for _ in range(1, trials)]
    base = dict(objective="lambdarank", metric="ndcg", eval_at=[10]) if ranker else \
        dict(objective="binary", metric="auc")
    if not ranker:
        w = weight[train_rows] if weight is not None else np.ones(len(train_rows))
        positive_rate = w[y_train > 0].sum() / w.sum()
        if min(positive_rate, 1 - positive_rate) < 0.1:
            base["scale_pos_weight"] = (w.sum() - w[y_train > 0].sum()) / w[y_train > 0].sum()
    fixed = dict(seed=seed, deterministic=True, force_row_wise=True, num_threads=num_threads,
                 feature_pre_filter=False, verbosity=-1)
    metric = "ndcg@10" if ranker else "auc"

    def group_sizes(rows):
        return np.diff(np.flatnonzero(np.r_[True, np.diff(group[rows]) != 0, True]))

    def dataset(rows, reference=None, weighted=True):
        return lgb.Dataset(
            X[rows], label=label[rows], weight=weight[rows] if weighted and weight is not None else None,
            group=group_sizes(rows) if ranker else None, categorical_feature=categorical,
            reference=reference, params=dict(fixed), free_raw_data=False)

    fold_sets = []
    for f in range(folds):
        tr, va = train_rows[fold_of != f], train_rows[fold_of == f]
        ds = dataset(tr)
        fold_sets.append((tr, va, ds, dataset(va, reference=ds, weighted=False)))

    def evaluate(batch, rounds):
        results = []
        for c in batch:
            curves = []
            for tr, va, ds, vs in fold_sets:
                record = {}
                lgb.train({**base, **configs[c], **fixed}, ds, num_boost_round=rounds,
                          valid_sets=[vs], callbacks=[lgb.early_stopping(early_stopping_rounds, verbose=False),
                                                      lgb.record_evaluation(record)])
                curves.append(np.array(record["valid_0"][metric]))
            results.append(summarise_cv(curves, rounds))
        return results

    t0 = time.perf_counter()
    best, result, history = successive_halving(len(configs), num_boost_round, evaluate)
    t_search = time.perf_counter() - t0
    rounds = result["best_iteration"]
    params = {**base, **configs[best], **fixed}
    t0 = time.perf_counter()
    booster = lgb.train(params, dataset(train_rows), num_boost_round=rounds)
    predictions = booster.predict(X[test_rows])
    metrics = {}
    if ranker:
        starts = np.r_[0, np.cumsum(group_sizes(test_rows))]
        for k in (5, 10, 20):
            vals = []
            for a, b in zip(starts[:-1], starts[1:]):
                gains = 2 ** y_test[a:b] - 1
                vals.append(1.0 if gains.max() == 0 else ndcg_score([gains], [predictions[a:b]], k=k))
            metrics[f"test_ndcg@{k}"] = float(np.mean(vals))
        metrics["test_map"] = float(np.mean([
            average_precision_score(y_test[a:b] > 0, predictions[a:b]) if (y_test[a:b] > 0).any() else 1.0
            for a, b in zip(starts[:-1], starts[1:])]))
        metrics[f"cv_{metric}_mean"], metrics[f"cv_{metric}_std"] = result["mean"], result["std"]
        threshold = None
    else:
        oof = np.zeros(len(train_rows))
        for f, (tr, va, ds, vs) in enumerate(fold_sets):
            oof[fold_of == f] = lgb.train(params, ds, num_boost_round=rounds).predict(X[va])
        p, rc, t = precision_recall_curve(y_train, oof)
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(p + rc > 0, 2 * p * rc / (p + rc), 0.0)[:-1]
        threshold = float(t[np.argmax(f1)])
        pred = (predictions >= threshold).astype(int)
        metrics = dict(
            test_auc=roc_auc_score(y_test, predictions),
            test_pr_auc=average_precision_score(y_test, predictions),
            test_log_loss=log_loss(y_test, predictions, labels=[0, 1]),
            test_precision=precision_score(y_test, pred, zero_division=0),
            test_recall=recall_score(y_test, pred, zero_division=0),
            test_f1=f1_score(y_test, pred, zero_division=0),
            cv_auc_mean=result["mean"], cv_auc_std=result["std"])
    t_fit = time.perf_counter() - t0
    return dict(metrics=metrics, threshold=threshold, chosen_trial=best, rounds=rounds,
                history=history, model_text=booster.model_to_string(),
                timings=dict(search_s=t_search, final_fit_s=t_fit),
                split=dict(train_rows=len(train_rows), test_rows=len(test_rows)))


def load_matrix_dir(path):
    """A matrix written by bench/train_bench.ts: meta.json and raw little-endian arrays."""
    with open(os.path.join(path, "meta.json")) as f:
        meta = json.load(f)
    n, nf = meta["num_rows"], meta["num_features"]
    def read(name, dtype):
        file = os.path.join(path, name)
        return np.fromfile(file, dtype=dtype) if os.path.exists(file) else None
    X = read("data.bin", meta["dtype"]).reshape(nf, n).T
    label = read("label.f32", np.float32).astype(np.float64)
    return (X, label, read("weight.f32", np.float32), read("group.i32", np.int32),
            read("dates.i32", np.int32), meta["categorical"], meta["model_type"])


ALERTS_SQL = """
WITH label_days AS (
  SELECT address AS label_address, processing_date AS label_date,
         argMax(risk_level, tuple(multiIf(risk_level = 'critical', 3, risk_level = 'high', 2,
           risk_level = 'medium', 1, 0), confidence_score, label)) AS label_risk_level,
         argMax(confidence_score, tuple(multiIf(risk_level = 'critical', 3, risk_level = 'high', 2,
           risk_level = 'medium', 1, 0), confidence_score, label)) AS label_confidence
  FROM {db:Identifier}.raw_address_labels
  WHERE network = {network:String} AND processing_date <= {end:Date}
  GROUP BY label_address, label_date)
SELECT a.processing_date AS processing_date, a.alert_id AS alert_id, a.address AS address,
       a.typology_type AS typology_type, a.severity AS severity,
       a.suspected_address_type AS suspected_address_type,
       a.alert_confidence_score AS alert_confidence_score, toFloat64(a.volume_usd) AS volume_usd,
       JSONLength(a.evidence_json) AS evidence_count, length(a.risk_indicators) AS indicator_count,
       l.label_risk_level AS risk_level, l.label_confidence AS label_confidence,
       l.label_date AS label_date
FROM (SELECT * FROM {db:Identifier}.raw_alerts
      WHERE window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}) AS a
ASOF LEFT JOIN label_days AS l ON a.address = l.label_address AND a.processing_date >= l.label_date
ORDER BY processing_date, alert_id, typology_type
"""

FEATURES_SQL = """
SELECT * EXCEPT (window_days, created_at, dominant_asset_in, dominant_asset_out, hourly_activity,
                 daily_activity)
FROM {db:Identifier}.raw_features
WHERE window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}
  AND (processing_date, address) IN (
    SELECT processing_date, address FROM {db:Identifier}.raw_alerts
    WHERE window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date})
"""

FLOWS_SQL = """
SELECT processing_date, address, sum(in_usd) AS flow_in_usd, sum(out_usd) AS flow_out_usd,
       countIf(in_usd > 0) AS flow_in_degree, countIf(out_usd > 0) AS flow_out_degree,
       sum(txs) AS flow_tx_count
FROM (
  SELECT processing_date, to_address AS address, toFloat64(amount_usd_sum) AS in_usd,
         0. AS out_usd, toFloat64(tx_count) AS txs
  FROM {db:Identifier}.raw_money_flows
  WHERE window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}
  UNION ALL
  SELECT processing_date, from_address, 0., toFloat64(amount_usd_sum), toFloat64(tx_count)
  FROM {db:Identifier}.raw_money_flows
  WHERE window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date})
GROUP BY processing_date, address
"""


def load_from_chdb(data_dir, network, start, end, window, model_type):
    """Reads one network's range with chDB (the same engine, the same data directory) and
    builds the alert-level matrix with pandas: alert columns, the address's raw_features,
    its money-flow aggregates; the label as of the alert's date (never a later one)."""
    import chdb.session as chs
    import pandas as pd
    if model_type == "cluster_scorer":
        sys.exit("The Python reference builds alert-level matrices only")
    session = chs.Session(data_dir)
    params = dict(db=f"risk_scoring_{network}", network=network, start=start, end=end,
                  window=str(window))
    def query(sql):
        return session.query(sql, "DataFrame", params=params)
    alerts = query(ALERTS_SQL)
    features = query(FEATURES_SQL)
    flows = query(FLOWS_SQL)
    session.close()
    frame = alerts.merge(features, on=["processing_date", "address"], how="left") \
        .merge(flows, on=["processing_date", "address"], how="left")
    for column in ("typology_type", "severity", "suspected_address_type"):
        frame[column] = frame[column].astype("category").cat.codes.astype(np.float32)
    grade = frame["risk_level"].map(dict(low=0, medium=1, high=2, critical=3)).astype(np.float64)
    grade[frame["label_date"].isna() | (frame["risk_level"] == "")] = np.nan
    label = grade.to_numpy() if model_type == "alert_ranker" else \
        np.where(np.isnan(grade), np.nan, (grade >= 2).astype(np.float64))
    weight = frame["label_confidence"].to_numpy(dtype=np.float32)
    days = (pd.to_datetime(frame["processing_date"]) - pd.Timestamp("1970-01-01")).dt.days
    dates = days.to_numpy(dtype=np.int32)
    drop = ["processing_date", "alert_id", "address", "risk_level", "label_confidence", "label_date"]
    X = frame.drop(columns=drop).apply(pd.to_numeric, errors="raise").to_numpy(dtype=np.float32)
    names = [c for c in frame.columns if c not in drop]
    categorical = [names.index(c) for c in ("typology_type", "severity", "suspected_address_type")]
    # One query group per processing date (alerts are ordered by date).
    group = dates.copy() if model_type == "alert_ranker" else None
    return X, label, weight, group, dates, categorical, model_type


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrix-dir", help="train on a matrix bench/train_bench.ts wrote")
    parser.add_argument("--data-dir", help="chDB data directory to read")
    parser.add_argument("--network")
    parser.add_argument("--start-date")
    parser.add_argument("--end-date")
    parser.add_argument("--window-days", type=int, default=7)
    parser.add_argument("--model-type", default="alert_scorer")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--num-boost-round", type=int, default=1000)
    parser.add_argument("--early-stopping-rounds", type=int, default=50)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    t0 = time.perf_counter()
    if args.matrix_dir:
        X, label, weight, group, dates, categorical, model_type = load_matrix_dir(args.matrix_dir)
    else:
        X, label, weight, group, dates, categorical, model_type = load_from_chdb(
            args.data_dir, args.network, args.start_date, args.end_date, args.window_days,
            args.model_type)
    t_load = time.perf_counter() - t0
    result = train(X, label, weight, group, dates, categorical, model_type, args.trials, args.folds,
                   args.seed, args.num_boost_round, args.early_stopping_rounds, num_threads=args.threads)
    result["timings"]["load_s"] = t_load
    result["matrix"] = dict(rows=int(X.shape[0]), features=int(X.shape[1]),
                            labelled=int((~np.isnan(label)).sum()))
    result["timings"]["total_s"] = time.perf_counter() - t0
    del result["model_text"]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
