"""XGBoost peer of the C# propensity training bench, on the very same matrices.

Run the C# side first (it writes bench/data/train-{accounts}x{months}-step{step}/: X_*.f32 raw float32 row-major,
y_{churn,upsell}_*.u8, meta.json):
    dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll train 100000 36 3
then:
    /usr/bin/python3 bench/train_xgboost.py [accounts=100000] [months=36] [step=3] [repeats=1] [--fixed-trees]
Same shape as the C# defaults: hist, lossguide growth with max_leaves = NumberOfLeaves, the same number of trees and
learning rate, nthread=2, early stopping on the validation rows after the same number of rounds (off with --fixed-trees).
Differences that remain: LightGBM's min_data_in_leaf=200 has no exact XGBoost twin (min_child_weight bounds the
hessian sum instead; left at its default), and the C# side also fits an isotonic calibrator on the validation rows.
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score

flags = [a for a in sys.argv[1:] if a.startswith("--")]
pos = [a for a in sys.argv[1:] if not a.startswith("--")]
accounts, months, step, repeats = (int(a) for a in (pos + ["100000", "36", "3", "1"][len(pos):]))
fixed = "--fixed-trees" in flags
nthread = 2
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", f"train-{accounts}x{months}-step{step}")
meta = json.load(open(os.path.join(d, "meta.json")))
cols = len(meta["features"])


def x(name, rows):
    return np.fromfile(os.path.join(d, name), dtype="<f4").reshape(rows, cols)


def y(name):
    return np.fromfile(os.path.join(d, name), dtype=np.uint8).astype(np.float32)


def load_avg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


x_train, x_valid, x_test = x("X_train.f32", meta["train_rows"]), x("X_valid.f32", meta["valid_rows"]), x("X_test.f32", meta["test_rows"])
print(f"xgboost {xgb.__version__}; {d}; train {x_train.shape}, valid {x_valid.shape}, test {x_test.shape}; nthread {nthread}; "
      f"{'fixed trees' if fixed else 'early stopping'}; load avg {load_avg()}")
params = {
    "objective": "binary:logistic", "eval_metric": "logloss", "tree_method": "hist", "grow_policy": "lossguide",
    "max_leaves": meta["number_of_leaves"], "max_depth": 0, "eta": meta["learning_rate"], "nthread": nthread, "seed": 42,
}
for target in ("churn", "upsell"):
    y_train, y_valid, y_test = y(f"y_{target}_train.u8"), y(f"y_{target}_valid.u8"), y(f"y_{target}_test.u8")
    trains, scores = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        dtrain = xgb.DMatrix(x_train, label=y_train, missing=np.nan, nthread=nthread)
        dvalid = xgb.DMatrix(x_valid, label=y_valid, missing=np.nan, nthread=nthread)
        booster = xgb.train(params, dtrain, num_boost_round=meta["number_of_trees"], evals=[(dvalid, "valid")],
                            early_stopping_rounds=None if fixed else meta["early_stopping_rounds"], verbose_eval=False)
        t1 = time.perf_counter()
        dtest = xgb.DMatrix(x_test, missing=np.nan, nthread=nthread)
        trees = booster.best_iteration + 1 if not fixed else meta["number_of_trees"]
        p = booster.predict(dtest, iteration_range=(0, trees))
        t2 = time.perf_counter()
        trains.append(t1 - t0)
        scores.append(t2 - t1)
        print(f"  {target} run {r + 1}: train {t1 - t0:.2f} s ({len(y_train) / (t1 - t0):,.0f} rows/s), {trees} trees "
              f"(grown {booster.num_boosted_rounds()}); score {len(y_test):,} rows {t2 - t1:.2f} s; test AUC {roc_auc_score(y_test, p):.4f}; load avg {load_avg()}")
    print(f"  {target}: train best {min(trains):.2f} s, median {np.median(trains):.2f} s; score best {min(scores):.2f} s, median {np.median(scores):.2f} s")
