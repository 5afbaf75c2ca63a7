"""xgboost's TreeSHAP (pred_contribs) throughput, the peer of `dotnet run -c Release --project bench/Workbench.Bench -- shap`.

Trains an xgboost model of the same size as the C# benchmark (300 trees, max_leaves 31, 50 features) on 100,000 seeded
synthetic rows, then times pred_contribs on 100,000 other rows with nthread=2.
With --same-trees DIR it instead times xgboost on the exact trees and rows the C# run wrote to DIR
(shap_model.json, shap_rows.csv) and, if DIR/shap_csharp_seconds.txt exists, prints the C#/xgboost ratio.

usage: /usr/bin/python3 bench/shap_xgboost.py [--rows N] [--trees T] [--nthread K] [--repeat R] [--same-trees DIR]
"""
import argparse
import os
import time

import numpy as np
import xgboost as xgb

FEATURES = 50


def synthetic(count, seed):
    rng = np.random.default_rng(seed)
    x = (rng.random((count, FEATURES)) * 10).astype(np.float32)
    logit = np.zeros(count)
    for f in range(20):
        logit += (1 if f % 2 == 0 else -1) * (x[:, f] - 5) / (3 + f)
    logit += np.sin(x[:, 20]) + np.where((x[:, 21] > 7) & (x[:, 22] < 3), 1.5, 0) + 0.3 * (x[:, 23] - 5) * (x[:, 24] - 5) / 10
    y = (rng.random(count) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return x, y


def time_contribs(booster, rows, nthread, repeat):
    booster.set_param({"nthread": nthread})
    matrix = xgb.DMatrix(rows, nthread=nthread)
    booster.predict(xgb.DMatrix(rows[:1000], nthread=nthread), pred_contribs=True)  # warm-up
    # The machine is shared: report wall time and this process's CPU time (less sensitive to other load).
    best, best_cpu = float("inf"), float("inf")
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        contribs = booster.predict(matrix, pred_contribs=True)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        best, best_cpu = min(best, elapsed), min(best_cpu, cpu)
        print(f"  run {i + 1}: wall {elapsed:.3f} s, cpu {cpu:.3f} s")
    margin = booster.predict(matrix, output_margin=True)
    gap = float(np.max(np.abs(contribs.sum(axis=1) - margin)))
    return best, best_cpu, gap


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--nthread", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--same-trees", default=None)
    args = parser.parse_args()
    print(f"xgboost {xgb.__version__}")

    if args.same_trees:
        booster = xgb.Booster(model_file=os.path.join(args.same_trees, "shap_model.json"))
        rows = np.loadtxt(os.path.join(args.same_trees, "shap_rows.csv"), delimiter=",", dtype=np.float32, ndmin=2)[: args.rows]
        label = "same trees as C#"
    else:
        x, y = synthetic(100_000, seed=1)
        start = time.perf_counter()
        booster = xgb.train(
            {"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": 31, "max_depth": 0,
             "learning_rate": 0.1, "min_child_weight": 1, "objective": "binary:logistic", "nthread": args.nthread, "seed": 7},
            xgb.DMatrix(x, y, nthread=args.nthread), num_boost_round=args.trees)
        print(f"trained xgboost in {time.perf_counter() - start:.1f} s")
        rows, _ = synthetic(args.rows, seed=2)
        label = "own xgboost model"

    dump = booster.get_dump()
    depths = [max(line.count("\t") for line in tree.splitlines()) for tree in dump]
    leaves = [tree.count("leaf=") for tree in dump]
    print(f"model ({label}): {len(dump)} trees, leaves mean {np.mean(leaves):.1f} max {max(leaves)}, max depth {max(depths)}")
    best, best_cpu, gap = time_contribs(booster, rows, args.nthread, args.repeat)
    print(f"xgboost pred_contribs: {rows.shape[0]} rows in {best:.3f} s (best of {args.repeat}) = {rows.shape[0] / best:.0f} rows/s "
          f"on nthread={args.nthread}; cpu {best_cpu:.3f} s = {rows.shape[0] / best_cpu:.0f} rows per cpu-second; "
          f"max |sum(contribs)-margin| = {gap:.2e}")
    csharp = os.path.join(args.same_trees or "", "shap_csharp_seconds.txt")
    if args.same_trees and os.path.exists(csharp):
        seconds, cpu_seconds = (float(v) for v in open(csharp).read().split())
        print(f"C# wall {seconds:.3f} s, cpu {cpu_seconds:.3f} s; speed ratio C#/xgboost: wall {best / seconds:.2f}, cpu {best_cpu / cpu_seconds:.2f}")


if __name__ == "__main__":
    main()
