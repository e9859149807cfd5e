"""The reference pipeline risktrain is benchmarked against: the same work in Python.

Reads one network's date range from the same ClickHouse engine (chDB's Python package on
the same data directory) and builds risktrain's feature catalogue (docs/FEATURES.md) for
alert_scorer / alert_ranker with pandas and numpy: the same columns in the same order (131
on the full data contract), the same categorical dictionaries, labels, weights, dates and
NaN conventions (bench/python_pipeline_check.py compares it with `risktrain features
--out`). chDB reads raw rows only (range filters, the as-of label join, toFloat64 of Decimal
amounts; every value a query parameter); the per-alert features are vectorised pandas. It
then trains with the LightGBM Python package exactly as risktrain's `train` does: the same
time split, the same folds (time-ordered by default, as risktrain's `--cv time`; `--cv
stratified|grouped` the seeded random ones) and hyperparameter configurations (the xoshiro128**
generator is ported below, so the draws are identical), successive halving with k-fold
cross-validation and early stopping, the final fit for the cross-validated number of rounds,
and the test metrics.

    python3 bench/python_pipeline.py --data-dir DIR --network NAME --start-date D
        --end-date D --window-days N --model-type alert_scorer [--trials 20] [--folds 5]
        [--seed 42] [--threads N]
    python3 bench/python_pipeline.py --matrix-dir DIR ...   (train on a matrix bench wrote)

Prints one JSON object: timings (seconds), metrics, chosen trial and rounds.
"""
import argparse
import json
import math
import os
import sys
import time
from typing import NamedTuple, Optional

import numpy as np

MASK = 0xFFFFFFFF


class Random:
    """risktrain's seeded generator (src/random.ts): xoshiro128** seeded by splitmix32."""

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


def time_folds(dates, k, gap_days, block_days):
    """src/train/cv_folds.ts timeFolds over positions 0..n-1: forward-chaining folds over whole
    processing dates, the latest k blocks validated, each fold fitting on the dates more than
    gap_days before its block. Returns [(fit positions, validation positions)]."""
    days = np.unique(dates)
    block = min(block_days, len(days) // (k + 1))
    if block < 1:
        raise ValueError(f"time-ordered {k}-fold CV needs at least {k + 1} training dates")
    folds = []
    for f in range(k):
        first = days[len(days) - (k - f) * block]
        last = days[len(days) - (k - f - 1) * block - 1]
        folds.append((np.flatnonzero(dates + gap_days < first),
                      np.flatnonzero((dates >= first) & (dates <= last))))
    return folds


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
          num_boost_round=1000, early_stopping_rounds=50, test_fraction=0.2, num_threads=0,
          cv="time", cv_gap_days=0):
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
    if cv == "time":
        test_days = len(np.unique(dates[test_rows]))
        positions = time_folds(dates[train_rows], folds, cv_gap_days, test_days)
    else:
        fold_of = grouped_folds(group[train_rows], folds, r) if ranker else \
            stratified_folds(y_train, folds, r)
        positions = [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f))
                     for f in range(folds)]
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
    for fit_positions, valid_positions in positions:
        tr, va = train_rows[fit_positions], train_rows[valid_positions]
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
        # Out-of-fold predictions of the validated rows only (time folds: the later dates).
        oof_rows = np.concatenate([va for _, va in positions])
        oof = np.concatenate([lgb.train(params, ds, num_boost_round=rounds).predict(X[va])
                              for tr, va, ds, vs in fold_sets])
        p, rc, t = precision_recall_curve(y_train[oof_rows], oof)
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


class Matrix(NamedTuple):
    """A training matrix: X row-major (rows x features, float32), label/weight (NaN for
    unlabelled rows), the ranker's query group per row (else None), processing_date as days
    since 1970-01-01, the categorical feature indices, and (when known) the feature names and
    categorical dictionaries ({index, name, categories}: code i stands for categories[i])."""
    X: np.ndarray
    label: np.ndarray
    weight: Optional[np.ndarray]
    group: Optional[np.ndarray]
    dates: np.ndarray
    categorical: list
    model_type: str
    feature_names: Optional[list] = None
    dictionaries: Optional[list] = None


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
    return Matrix(X, label, read("weight.f32", np.float32), read("group.i32", np.int32),
                  read("dates.i32", np.int32), meta["categorical"], meta["model_type"])


# ---------------------------------------------------------------------------------------
# Reading the raw rows from chDB. Every value is a query parameter. SQL only filters the
# range, joins each alert's label as of its date (ASOF) and converts Decimal128 amounts with
# toFloat64; all feature engineering is pandas/numpy below.

RANGE = "window_days = {window:UInt16} AND processing_date BETWEEN {start:Date} AND {end:Date}"

ALERTED_PAIRS = ("(SELECT DISTINCT processing_date, address FROM {db:Identifier}.raw_alerts "
                 "WHERE " + RANGE + ")")

# The label of an address as of a date: its latest raw_address_labels day at or before the
# date (any window); on one day, the highest risk_level, then confidence_score, then label.
ALERTS_SQL = """
WITH label_days AS (
  SELECT address AS label_address, processing_date AS label_date, toUInt8(1) AS label_found,
         argMax(risk_level, tuple(multiIf(risk_level = 'critical', 3, risk_level = 'high', 2,
           risk_level = 'medium', 1, risk_level = 'low', 0, -1), confidence_score, label))
           AS label_risk_level,
         argMax(confidence_score, tuple(multiIf(risk_level = 'critical', 3, risk_level = 'high', 2,
           risk_level = 'medium', 1, risk_level = 'low', 0, -1), confidence_score, label))
           AS label_confidence
  FROM {db:Identifier}.raw_address_labels
  WHERE network = {network:String} AND processing_date <= {end:Date}
  GROUP BY label_address, label_date)
SELECT a.processing_date AS processing_date, a.alert_id AS alert_id, a.address AS address,
       a.typology_type AS typology_type, a.severity AS severity,
       a.suspected_address_type AS suspected_address_type,
       a.alert_confidence_score AS alert_confidence_score, toFloat64(a.volume_usd) AS volume_usd,
       JSONLength(a.evidence_json) AS evidence_count, length(a.risk_indicators) AS indicator_count,
       l.label_found AS label_found, l.label_risk_level AS label_risk_level,
       l.label_confidence AS label_confidence
FROM (SELECT * FROM {db:Identifier}.raw_alerts WHERE """ + RANGE + """) AS a
ASOF LEFT JOIN label_days AS l ON a.address = l.label_address AND a.processing_date >= l.label_date
ORDER BY processing_date, alert_id, typology_type
"""

FEATURES_SQL = """
SELECT * EXCEPT (window_days, created_at)
FROM {db:Identifier}.raw_features
WHERE """ + RANGE + " AND (processing_date, address) IN " + ALERTED_PAIRS

# The money flows touching an alerted address in its batch.
FLOWS_SQL = """
SELECT processing_date, from_address, to_address, toFloat64(amount_usd_sum) AS usd,
       toFloat64(tx_count) AS txs
FROM {db:Identifier}.raw_money_flows
WHERE """ + RANGE + """
  AND ((processing_date, from_address) IN """ + ALERTED_PAIRS + """
       OR (processing_date, to_address) IN """ + ALERTED_PAIRS + ")"

# The alert days of the range's alerted addresses in the range and the history look-back
# before it (every alert of the source), for the alert-history features.
HISTORY_SQL = """
SELECT processing_date, address, count() AS alerts
FROM {db:Identifier}.raw_alerts
WHERE window_days = {window:UInt16}
  AND processing_date BETWEEN {start:Date} - toIntervalDay({history:UInt16}) AND {end:Date}
  AND address IN (SELECT address FROM {db:Identifier}.raw_alerts WHERE """ + RANGE + """)
GROUP BY processing_date, address
"""

CLUSTERS_SQL = """
SELECT processing_date, cluster_id, primary_alert_id, related_alert_ids, total_alerts,
       toFloat64(total_volume_usd) AS total_volume_usd, severity_max, confidence_avg,
       length(addresses_involved) AS addresses, earliest_alert_timestamp, latest_alert_timestamp
FROM {db:Identifier}.raw_clusters
WHERE """ + RANGE + """
ORDER BY processing_date, cluster_id
"""

# raw_features columns used as addr_* features, in risktrain's contract order
# (src/contract/contract_columns.ts); community_id, dominant_asset_in/out are not used, the
# activity timestamps feed the temporal features and each activity array becomes
# <name>_peak_share. The last seven come from a later upstream version and
# are used when raw_features has them.
FEATURE_COLUMNS = """
degree_in degree_out degree_total unique_counterparties activity_days activity_span_days
unique_assets_in unique_assets_out kcore khop1_count khop2_count khop3_count
outlier_transactions unique_recipients_count unique_senders_count tx_in_count tx_out_count
tx_total_count peak_hour peak_day peak_activity_hour peak_activity_day total_in_usd
total_out_usd net_flow_usd total_volume_usd avg_tx_in_usd avg_tx_out_usd median_tx_in_usd
median_tx_out_usd max_tx_usd min_tx_usd avg_daily_volume_usd khop1_volume_usd
khop2_volume_usd khop3_volume_usd amount_variance amount_skewness amount_kurtosis volume_std
volume_cv flow_concentration regularity_score burst_factor reciprocity_ratio flow_diversity
counterparty_concentration concentration_ratio velocity_score structuring_score
asset_diversity_score hourly_entropy daily_entropy weekend_transaction_ratio
night_transaction_ratio small_transaction_ratio consistency_score pagerank betweenness
closeness clustering_coefficient centrality_score flow_reciprocity_entropy
counterparty_stability flow_burstiness transaction_regularity amount_predictability
behavioral_anomaly_score graph_anomaly_score neighborhood_anomaly_score global_anomaly_score
suspicious_pattern_score completeness_score quality_score outlier_score confidence_score
hourly_activity daily_activity is_exchange_like is_whale is_mixer_like is_contract_like
is_new_address is_dormant_reactivated is_high_volume_trader is_hub_address is_retail_active
is_whale_inactive is_retail_inactive is_regular_user
avg_relationship_age_days max_relationship_age_days bidirectional_relationship_ratio
avg_edge_reciprocity multi_asset_edge_ratio edge_hourly_entropy edge_weekly_entropy
""".split()
ACTIVITY_COLUMNS = ("hourly_activity", "daily_activity")
LEVELS = {"low": 0, "medium": 1, "high": 2, "critical": 3}
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def read_chdb(data_dir, network, start, end, window, history_days=30):
    """The raw rows of one network's range at one window, as pandas DataFrames."""
    import chdb.session as chs
    session = chs.Session(data_dir)
    params = dict(db=f"risk_scoring_{network}", network=network, start=start, end=end,
                  window=str(window), history=str(history_days))
    try:
        tables = {name: session.query(sql, "DataFrame", params=params) for name, sql in (
            ("alerts", ALERTS_SQL), ("features", FEATURES_SQL), ("flows", FLOWS_SQL),
            ("clusters", CLUSTERS_SQL), ("history", HISTORY_SQL))}
        return tables | {"history_days": history_days}
    finally:
        session.close()


def day_numbers(dates):
    """Dates (datetime64 of any unit) as days since 1970-01-01."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


def level_codes(values, source):
    codes = values.map(LEVELS)
    if codes.isna().any():
        bad = values[codes.isna()].iloc[0]
        raise ValueError(f"Unknown value in {source}: {bad!r} (expected {', '.join(LEVELS)})")
    return codes.to_numpy(np.float64)


def signed_log(v):
    return np.sign(v) * np.log1p(np.abs(v))


def activity_peak_share(arrays):
    """Peak share (max / total) of each activity array; NaN when the total is 0. (The bins'
    entropy is raw_features' own hourly_entropy / daily_entropy.)"""
    peak = np.full(len(arrays), np.nan)
    lengths = arrays.str.len().to_numpy() if len(arrays) else np.zeros(0, dtype=np.int64)
    for width in np.unique(lengths):  # one vectorised pass per array length (usually one)
        rows = np.flatnonzero(lengths == width)
        if width == 0:
            continue
        bins = np.stack(arrays.iloc[rows].to_numpy()).astype(np.float64)
        total = np.zeros(len(rows))
        for j in range(width):  # left-to-right sums, as ClickHouse's arraySum
            total += bins[:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            pk = bins.max(axis=1) / total
        peak[rows] = np.where(total == 0, np.nan, pk)
    return peak


def group_z(values, group, count):
    """z-score within groups, (x - mean) / std with the population std, 0 for a zero std;
    sums in row order (np.bincount), as risktrain accumulates them."""
    ok = ~np.isnan(values)
    x = np.where(ok, values, 0.0)
    n = np.bincount(group, weights=ok.astype(np.float64), minlength=count)
    mean = np.bincount(group, weights=x, minlength=count) / n
    dev = np.where(ok, values - mean[group], 0.0)
    std = np.sqrt(np.bincount(group, weights=dev * dev, minlength=count) / n)[group]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std == 0, 0.0, (values - mean[group]) / std)
    return np.where(ok, z, np.nan)


def group_percentile(values, group):
    """Mid-rank percentile within groups: (below + equal / 2) / n, the row among the equal."""
    import pandas as pd
    s = pd.Series(values)
    by = s.groupby(group)
    return ((by.rank(method="average") - 0.5) / by.transform("count")).to_numpy(np.float64)


def alert_feature_frame(tables):
    """The alert-level features of risktrain's catalogue (docs/FEATURES.md), one row per
    alert in extract's order, columns in matrix order; typology and suspected address type
    stay strings (categorical)."""
    import pandas as pd
    alerts, features, flows, clusters = (tables[k] for k in ("alerts", "features", "flows",
                                                            "clusters"))
    n = len(alerts)
    day = day_numbers(alerts["processing_date"])
    out = {}

    # Alert features.
    volume = alerts["volume_usd"].to_numpy(np.float64)
    confidence = alerts["alert_confidence_score"].to_numpy(np.float64)
    out["alert_confidence"] = confidence
    out["alert_severity"] = level_codes(alerts["severity"], "raw_alerts.severity")
    out["alert_log_volume_usd"] = signed_log(volume)
    out["alert_evidence_count"] = alerts["evidence_count"].to_numpy(np.float64)
    out["alert_indicator_count"] = alerts["indicator_count"].to_numpy(np.float64)
    out["alert_typology"] = alerts["typology_type"].to_numpy(object)
    out["alert_suspected_address_type"] = alerts["suspected_address_type"].to_numpy(object)

    # Address features: the raw_features row of the alert's (processing_date, address).
    keys = ["processing_date", "address"]
    if features.duplicated(keys).any():
        raise ValueError("raw_features has more than one row for an alerted address and date")
    present = [c for c in FEATURE_COLUMNS if c in features.columns]
    addr = pd.DataFrame(index=features.index)
    for column in present:
        if column in ACTIVITY_COLUMNS:
            addr[column + "_peak_share"] = activity_peak_share(features[column])
        else:
            addr[column] = features[column].astype(np.float64)
    for column in ("first_activity_timestamp", "last_activity_timestamp"):
        addr[column] = features[column].astype(np.float64) if column in features else np.nan
    addr[keys] = features[keys]
    linked = alerts[keys].merge(addr, on=keys, how="left")
    for column in addr.columns.drop(keys + ["first_activity_timestamp",
                                            "last_activity_timestamp"]):
        out["addr_" + column] = linked[column].to_numpy(np.float64)

    # Network features: money-flow aggregates per alerted address, over its counterparties.
    codes, _ = pd.factorize(pd.concat([alerts["address"], flows["from_address"],
                                       flows["to_address"]], ignore_index=True))
    width = int(codes.max()) + 1 if len(codes) else 1
    alert_key = day * width + codes[:n]
    flow_day = day_numbers(flows["processing_date"])
    src = flow_day * width + codes[n:n + len(flows)]
    dst = flow_day * width + codes[n + len(flows):]
    alerted = np.unique(alert_key)
    usd, txs = flows["usd"].to_numpy(np.float64), flows["txs"].to_numpy(np.float64)
    outgoing = np.isin(src, alerted)  # flows seen from the sender
    incoming = np.isin(dst, alerted)  # flows seen from the receiver
    edges = pd.DataFrame({
        "key": np.r_[src[outgoing], dst[incoming]],
        "counterparty": np.r_[dst[outgoing], src[incoming]],
        "has_out": np.r_[np.ones(outgoing.sum(), bool), np.zeros(incoming.sum(), bool)],
        "usd_in": np.r_[np.zeros(outgoing.sum()), usd[incoming]],
        "usd_out": np.r_[usd[outgoing], np.zeros(incoming.sum())],
        "txs_in": np.r_[np.zeros(outgoing.sum()), txs[incoming]],
        "txs_out": np.r_[txs[outgoing], np.zeros(incoming.sum())],
    })
    edges["has_in"] = ~edges["has_out"]
    per_cp = edges.groupby(["key", "counterparty"], sort=False).agg(
        has_in=("has_in", "any"), has_out=("has_out", "any"), usd_in=("usd_in", "sum"),
        usd_out=("usd_out", "sum"), txs_in=("txs_in", "sum"), txs_out=("txs_out", "sum"))
    per_cp = per_cp.reset_index()
    per_cp["alerted"] = np.isin(per_cp["counterparty"].to_numpy(), alerted)
    per_cp["reciprocal"] = per_cp["has_in"] & per_cp["has_out"]
    per_cp["alerted_usd"] = np.where(per_cp["alerted"], per_cp["usd_in"] + per_cp["usd_out"], 0.0)
    net = per_cp.groupby("key").agg(
        in_degree=("has_in", "sum"), out_degree=("has_out", "sum"),
        counterparties=("counterparty", "size"), reciprocal_counterparties=("reciprocal", "sum"),
        in_volume_usd=("usd_in", "sum"), out_volume_usd=("usd_out", "sum"),
        in_tx_count=("txs_in", "sum"), out_tx_count=("txs_out", "sum"),
        alerted_counterparties=("alerted", "sum"), alerted_volume_usd=("alerted_usd", "sum"),
    ).astype(np.float64)
    both = net["in_volume_usd"] + net["out_volume_usd"]
    net["balance"] = ((net["in_volume_usd"] - net["out_volume_usd"]) / both).where(both != 0)
    net["reciprocity"] = net["reciprocal_counterparties"] / net["counterparties"]
    net["alerted_volume_share"] = (net["alerted_volume_usd"] / both).where(both != 0)
    net = net.reindex(alert_key)
    for column in net.columns:
        out["flow_" + column] = net[column].to_numpy(np.float64)

    # Temporal features: activity timestamps against the end of the processing date, and the
    # alert history of the address over the look-back (below).
    end_ms = (day + 1) * DAY_MS
    for name, column in (("time_address_age_days", "first_activity_timestamp"),
                         ("time_days_since_last_activity", "last_activity_timestamp")):
        stamp = linked[column].to_numpy(np.float64)
        with np.errstate(invalid="ignore"):
            out[name] = np.where(stamp > 0, (end_ms - stamp) / DAY_MS, np.nan)
    # Alert history over the fixed look-back: alerts of the address in the history_days
    # before the date (read before the range start too), from every alert of the source.
    history = tables["history"]
    lookback = tables["history_days"]
    h_codes = pd.Index(pd.unique(np.r_[alerts["address"].to_numpy(object),
                                       history["address"].to_numpy(object)]))
    h_addr = h_codes.get_indexer(history["address"])
    h_day = day_numbers(history["processing_date"])
    span = int(max(h_day.max(), day.max()) - min(h_day.min(), day.min())) + lookback + 2
    origin = int(min(h_day.min(), day.min())) - lookback - 1
    h_key = h_addr.astype(np.int64) * span + (h_day - origin)
    order = np.argsort(h_key, kind="stable")
    h_key, h_day = h_key[order], h_day[order]
    h_alerts = history["alerts"].to_numpy(np.float64)[order]
    cum = np.r_[0.0, np.cumsum(h_alerts)]
    a_key = h_codes.get_indexer(alerts["address"]).astype(np.int64) * span + (day - origin)
    lo = np.searchsorted(h_key, a_key - lookback, side="left")
    hi = np.searchsorted(h_key, a_key, side="left")
    same = np.searchsorted(h_key, a_key, side="right")
    out["time_prior_alerts"] = cum[hi] - cum[lo]
    out["time_prior_alert_days"] = (hi - lo).astype(np.float64)
    with np.errstate(invalid="ignore"):
        out["time_days_since_prior_alert"] = np.where(
            hi > lo, day - h_day[np.maximum(hi - 1, 0)], np.nan).astype(np.float64)
    out["time_same_day_alerts"] = cum[same] - cum[hi] - 1

    # Statistical features: within the batch (processing_date) and within its typology there.
    batch = pd.factorize(day)[0]
    batches = int(batch.max()) + 1
    typology = pd.factorize(pd.MultiIndex.from_arrays([day, alerts["typology_type"]]))[0]
    typologies = int(typology.max()) + 1 if n else 0
    log_volume = out["alert_log_volume_usd"]
    for name, values in (("volume", log_volume), ("confidence", confidence)):
        for scope, group, count in (("batch", batch, batches),
                                    ("typology", typology, typologies)):
            out[f"stat_{name}_z_{scope}"] = group_z(values, group, count)
            out[f"stat_{name}_pct_{scope}"] = group_percentile(values, group)
    order = [f"stat_{name}_{kind}_{scope}" for scope in ("batch", "typology")
             for name in ("volume", "confidence") for kind in ("z", "pct")]
    for name in order:  # catalogue order
        out[name] = out.pop(name)

    # Cluster features: the alert's cluster of its batch, the largest by total_alerts (the
    # first in (processing_date, cluster_id) order on a tie). Members are related_alert_ids,
    # or [primary_alert_id] when that array is empty.
    clusters = clusters.reset_index(drop=True)
    clusters["cluster"] = np.arange(len(clusters))
    members = clusters[["cluster", "processing_date", "primary_alert_id", "related_alert_ids",
                        "total_alerts"]].explode("related_alert_ids")
    members["alert_id"] = members["related_alert_ids"].fillna(members["primary_alert_id"])
    members = members.drop_duplicates(["cluster", "alert_id"])
    rows = alerts[["processing_date", "alert_id"]].assign(row=np.arange(n))
    members = members.merge(rows, on=["processing_date", "alert_id"])
    chosen = members.sort_values(["total_alerts", "cluster"], ascending=[False, True]) \
        .drop_duplicates("row").set_index("row")["cluster"].reindex(np.arange(n))
    out["cluster_member"] = chosen.notna().to_numpy(np.float64)
    figures = pd.DataFrame({
        "size": clusters["total_alerts"].astype(np.float64),
        "volume_usd": clusters["total_volume_usd"].astype(np.float64),
        "severity_max": level_codes(clusters["severity_max"], "raw_clusters.severity_max")
        if len(clusters) else np.zeros(0),
        "confidence_avg": clusters["confidence_avg"].astype(np.float64),
        "addresses": clusters["addresses"].astype(np.float64),
        "span_hours": (clusters["latest_alert_timestamp"].astype(np.float64)
                       - clusters["earliest_alert_timestamp"].astype(np.float64)) / HOUR_MS,
    }).reindex(chosen.to_numpy())
    for column in figures.columns:
        out["cluster_" + column] = figures[column].to_numpy(np.float64)
    return pd.DataFrame(out)


def alert_labels(alerts, model_type):
    """Label and weight per alert: scorer 1 for high/critical, 0 for low/medium; ranker the
    grade 0..3; weight the label's confidence_score; NaN for both when unlabelled."""
    found = alerts["label_found"].to_numpy() == 1
    grade = np.full(len(alerts), np.nan)
    grade[found] = level_codes(alerts["label_risk_level"][found],
                               "raw_address_labels.risk_level")
    label = grade if model_type == "alert_ranker" else \
        np.where(np.isnan(grade), np.nan, (grade >= 2).astype(np.float64))
    weight = np.where(found, alerts["label_confidence"].to_numpy(np.float64), np.nan)
    return label.astype(np.float32), weight.astype(np.float32)


CATEGORICAL = ("alert_typology", "alert_suspected_address_type")


def load_from_chdb(data_dir, network, start, end, window, model_type):
    """Reads one network's range with chDB (the same engine, the same data directory) and
    builds risktrain's alert-level matrix with pandas (docs/FEATURES.md): the same columns
    in the same order, categorical codes from the sorted distinct values, labels as of the
    alert's date (never a later one), NaN for missing values, float32."""
    import pandas as pd
    if model_type == "cluster_scorer":
        sys.exit("The Python reference builds alert-level matrices only")
    tables = read_chdb(data_dir, network, start, end, window)
    if len(tables["alerts"]) == 0:
        sys.exit(f"No alerts found for {network} between {start} and {end} at window {window}")
    frame = alert_feature_frame(tables)
    dictionaries = []
    for name in CATEGORICAL:
        categories = sorted(frame[name].unique())
        frame[name] = pd.Categorical(frame[name], categories=categories).codes.astype(np.float64)
        dictionaries.append(dict(index=frame.columns.get_loc(name), name=name,
                                 categories=categories))
    X = frame.to_numpy(np.float32)
    if np.isinf(X).any():
        bad = frame.columns[np.isinf(X).any(axis=0)][0]
        raise ValueError(f"Feature {bad} is infinite (or overflows float32)")
    label, weight = alert_labels(tables["alerts"], model_type)
    dates = day_numbers(tables["alerts"]["processing_date"]).astype(np.int32)
    # One query group per processing date (alerts are ordered by date).
    group = np.r_[0, np.cumsum(dates[1:] != dates[:-1])].astype(np.int32) \
        if model_type == "alert_ranker" else None
    return Matrix(X, label, weight, group, dates, [d["index"] for d in dictionaries], model_type,
                  list(frame.columns), dictionaries)


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
    parser.add_argument("--cv", choices=["time", "stratified"], default="time",
                        help="time-ordered folds, or the seeded random ones (whole groups for the ranker)")
    parser.add_argument("--cv-gap-days", type=int, default=0)
    parser.add_argument("--num-boost-round", type=int, default=1000)
    parser.add_argument("--early-stopping-rounds", type=int, default=50)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    t0 = time.perf_counter()
    if args.matrix_dir:
        matrix = load_matrix_dir(args.matrix_dir)
    else:
        matrix = load_from_chdb(args.data_dir, args.network, args.start_date, args.end_date,
                                args.window_days, args.model_type)
    X, label, weight, group, dates, categorical, model_type = matrix[:7]
    t_load = time.perf_counter() - t0
    result = train(X, label, weight, group, dates, categorical, model_type, args.trials, args.folds,
                   args.seed, args.num_boost_round, args.early_stopping_rounds, num_threads=args.threads,
                   cv=args.cv, cv_gap_days=args.cv_gap_days)
    result["timings"]["load_s"] = t_load
    result["matrix"] = dict(rows=int(X.shape[0]), features=int(X.shape[1]),
                            labelled=int((~np.isnan(label)).sum()))
    result["timings"]["total_s"] = time.perf_counter() - t0
    del result["model_text"]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
