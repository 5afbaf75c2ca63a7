"""Run xgboost's TreeSHAP (pred_contribs) on a JSON model and CSV rows written by the C# side.

usage: /usr/bin/python3 bench/xgboost_contribs.py MODEL.json ROWS.csv OUT.csv [--nthread N] [--repeat K]
Writes one line per row: the contributions of every feature, then the bias (expected value) column.
Prints the best wall time of pred_contribs over K repeats to stdout as 'seconds=<float> rows=<int>'.
"""
import argparse
import time

import numpy as np
import xgboost as xgb


def main():
    parser = argparse.ArgumentParser(description="xgboost pred_contribs on a model written by the C# side")
    parser.add_argument("model")
    parser.add_argument("rows")
    parser.add_argument("out")
    parser.add_argument("--nthread", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    model_path, rows_path, out_path, nthread, repeat = args.model, args.rows, args.out, args.nthread, args.repeat
    booster = xgb.Booster(model_file=model_path)
    booster.set_param({"nthread": nthread})
    rows = np.loadtxt(rows_path, delimiter=",", dtype=np.float32, ndmin=2)
    matrix = xgb.DMatrix(rows, missing=np.nan, nthread=nthread)
    best = float("inf")
    contribs = None
    for _ in range(repeat):
        start = time.perf_counter()
        contribs = booster.predict(matrix, pred_contribs=True)
        best = min(best, time.perf_counter() - start)
    np.savetxt(out_path, contribs, delimiter=",", fmt="%.9g")
    print(f"seconds={best:.6f} rows={rows.shape[0]}")


if __name__ == "__main__":
    main()
