"""Checks that bench/python_pipeline.py builds risktrain's matrix: compares the matrix of
`load_from_chdb` column by column with the Arrow file `risktrain features --out` wrote from
the same data (same names and order, NaN positions, values within a relative tolerance,
categorical indices and dictionaries, label, weight, dates, ranker groups).

    deno run -A cli.ts features --network bench --start-date 2024-01-01 --end-date 2024-01-10 \\
        --model-type alert_scorer --window-days 7 --data-dir /tmp/hp/chdb --out /tmp/hp/m.arrow
    python3 bench/python_pipeline_check.py --arrow /tmp/hp/m.arrow --data-dir /tmp/hp/chdb \\
        --network bench --start-date 2024-01-01 --end-date 2024-01-10 --window-days 7 \\
        --model-type alert_scorer

Prints a per-column report; exits 1 on any mismatch.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pyarrow.ipc as ipc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_pipeline import load_from_chdb  # noqa: E402

KEY_COLUMNS = ("id", "processing_date", "label", "weight", "group")


def compare(name, expected, actual, rtol):
    """(ok, detail) for two float columns: NaN at the same rows, values within rtol."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    if expected.shape != actual.shape:
        return False, f"{len(actual)} rows, expected {len(expected)}"
    nan_e, nan_a = np.isnan(expected), np.isnan(actual)
    nan_diff = int((nan_e != nan_a).sum())
    both = ~nan_e & ~nan_a
    diff = np.abs(expected[both] - actual[both])
    scale = np.maximum(np.abs(expected[both]), np.abs(actual[both]))
    bad = diff > rtol * scale
    exact = int((diff == 0).sum())
    max_rel = float((diff / np.where(scale == 0, 1, scale)).max()) if diff.size else 0.0
    detail = (f"nan {int(nan_e.sum())}, exact {exact}/{int(both.sum())}, "
              f"max rel {max_rel:.2e}")
    if nan_diff:
        first = int(np.flatnonzero(nan_e != nan_a)[0])
        detail += f", NaN differs at {nan_diff} rows (row {first}: {float(expected[first])} vs {float(actual[first])})"
    if bad.any():
        first = int(np.flatnonzero(both)[np.flatnonzero(bad)[0]])
        detail += f", {int(bad.sum())} values differ (row {first}: {float(expected[first])!r} vs {float(actual[first])!r})"
    return nan_diff == 0 and not bad.any(), detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrow", required=True, help="matrix written by `risktrain features --out`")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--network", required=True)
    parser.add_argument("--start-date", required=True)
    parser.add_argument("--end-date", required=True)
    parser.add_argument("--window-days", type=int, default=7)
    parser.add_argument("--model-type", default="alert_scorer")
    parser.add_argument("--rtol", type=float, default=1e-6)
    args = parser.parse_args()

    with open(args.arrow, "rb") as f:
        table = ipc.open_file(f).read_all()
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    t0 = time.perf_counter()
    m = load_from_chdb(args.data_dir, args.network, args.start_date, args.end_date,
                       args.window_days, args.model_type)
    load_s = time.perf_counter() - t0
    failures = []

    def check(what, ok, detail):
        print(f"{'ok  ' if ok else 'FAIL'} {what:40s} {detail}")
        if not ok:
            failures.append(what)

    if meta.get("risktrain.model_type") != args.model_type:
        check("model_type", False, f"{meta.get('risktrain.model_type')} in the Arrow file")
    expected_names = [n for n in table.column_names if n not in KEY_COLUMNS]
    check("feature names and order", expected_names == m.feature_names,
          f"{len(m.feature_names)} Python, {len(expected_names)} risktrain" +
          ("" if expected_names == m.feature_names else
           f"; only risktrain: {[n for n in expected_names if n not in m.feature_names]}"
           f"; only Python: {[n for n in m.feature_names if n not in expected_names]}"))
    check("rows", table.num_rows == m.X.shape[0], f"{m.X.shape[0]} Python, {table.num_rows} risktrain")
    if failures:
        sys.exit(1)

    dates = table.column("processing_date").cast("int32").to_numpy()
    check("processing_date", np.array_equal(dates, m.dates), "days since 1970-01-01")
    check("label", *compare("label", table.column("label").to_numpy(), m.label, 0))
    if "weight" in table.column_names:
        check("weight", *compare("weight", table.column("weight").to_numpy(), m.weight, 0))
    if "group" in table.column_names or m.group is not None:
        same = "group" in table.column_names and m.group is not None and \
            np.array_equal(table.column("group").to_numpy(), m.group)
        check("group", same, "query group per row")
    categorical = json.loads(meta.get("risktrain.categorical", "[]"))
    check("categorical indices", [c["index"] for c in categorical] == m.categorical,
          f"{m.categorical}")
    for theirs, ours in zip(categorical, m.dictionaries):
        check(f"dictionary {theirs['name']}", theirs == ours,
              f"{len(ours['categories'])} categories" +
              ("" if theirs == ours else f": {ours} vs {theirs}"))

    matched = 0
    for j, name in enumerate(m.feature_names):
        ok, detail = compare(name, table.column(name).to_numpy(), m.X[:, j], args.rtol)
        check(name, ok, detail)
        matched += ok
    print(f"\ncolumns matched {matched}/{len(m.feature_names)}; {m.X.shape[0]} rows, "
          f"{int((~np.isnan(m.label)).sum())} labelled; Python load {load_s:.2f} s")
    if failures:
        print("mismatches: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
