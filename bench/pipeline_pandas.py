"""The pandas/xgboost peer of the whole job: `workbench run` (labels, features, both models, test AUC) then `workbench
score` (features as of the month after the data, both models' probabilities, reasons from per-feature contributions,
each rep's ranked book written to book.csv), on the same CSV folder, in one Python process.

Run beside the C# job on the same files by bench/pipeline_peer.sh (its numbers: bench/README.md's summary table), or alone:
    dotnet src/Workbench.Cli/bin/Release/net10.0/workbench.dll generate --accounts 100000 --months 36 --seed 42 --format csv --out DATA
    /usr/bin/python3 bench/pipeline_pandas.py DATA OUT
What it does, with the scale spec's options (experiments/scale-100k.json) where the two can match:
  - labels and 9 of the 45 features (bench/features_pandas.py, checked there against the C# features row by row) at every
    3rd as-of month counted back from the latest, the last 3 as-of months held out for the test and the 2 before them for
    validation (the validation and test months not thinned, as RankingOptions does);
  - per target (churn, upsell: one versus the rest), xgboost hist with lossguide growth, 7 leaves, 200 rounds at eta 0.1,
    early stopping after 30 rounds on the validation rows, a seeded sample of at most 200,000 training rows, nthread 2;
  - scoring as of the month after the data's last month; priority per account-product = 12 months x run-rate (mean spend
    of the last 3 months) x (P(churn) + 0.15 x P(upsell)) (the C# side uses the mean relative upsell seen in training
    instead of the 0.15 label threshold), summed per account; reasons = the 3 largest and 2 smallest contributions to
    the churn log-odds (xgboost pred_contribs, exact TreeSHAP); each account in its rep's book at that date, ranked.
What it leaves out (the C# job does it): the other 36 features, isotonic calibration, segmentation, narratives and
the report pages, book.json, the validation of every cell. So it is a lower bound on a Python pipeline's time, not
the same output.
Prints each stage's wall time and the peak RSS; writes OUT/book.csv.
"""
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features_pandas import FEATURES, compute, load_avg, peak_mb, read_tables  # noqa: E402

STEP, TEST_MONTHS, VALID_MONTHS, MAX_TRAIN_ROWS = 3, 3, 2, 200_000
PARAMS = {"objective": "binary:logistic", "eval_metric": "logloss", "tree_method": "hist", "grow_policy": "lossguide",
          "max_leaves": 7, "max_depth": 0, "eta": 0.1, "nthread": 2, "seed": 42}
ROUNDS, EARLY_STOP, MONTHS_AT_RISK, UPSELL_RATIO = 200, 30, 12, 0.15
GRADES = [(0.1, "A"), (0.3, "B"), (0.6, "C"), (1.01, "D")]


def main():
    data, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    print(f"pandas {pd.__version__}, numpy {np.__version__}, xgboost {xgb.__version__}, {os.cpu_count()} cpus; {data}; load avg {load_avg()}")
    stages = {}
    t0 = time.perf_counter()
    tables = read_tables(data)
    book = pd.read_csv(os.path.join(data, "book.csv"), dtype=str, keep_default_na=False)
    stages["read_csv"] = time.perf_counter() - t0

    t = time.perf_counter()
    # Only the months read are built: the training months thinned to every STEP-th counted back from the latest
    # trainable one, the validation and test months whole (the last VALID_MONTHS + TEST_MONTHS built).
    def pick(months):
        held = TEST_MONTHS + VALID_MONTHS
        return sorted(months[:-held][::-1][::STEP]) + months[-held:]
    snaps, account_ids, product_ids, first = compute(*tables, score_month=True, pick_months=pick)
    del tables
    scoring = snaps[snaps["label"] == ""]
    labelled = snaps[snaps["label"] != ""]
    months = np.sort(labelled["t"].unique())
    test_m, valid_m = months[-TEST_MONTHS:], months[-TEST_MONTHS - VALID_MONTHS:-TEST_MONTHS]
    train_m = months[:-TEST_MONTHS - VALID_MONTHS]
    train = labelled[labelled["t"].isin(train_m)]
    valid = labelled[labelled["t"].isin(valid_m)]
    test = labelled[labelled["t"].isin(test_m)]
    if len(train) > MAX_TRAIN_ROWS:
        train = train.sample(n=MAX_TRAIN_ROWS, random_state=42)
    stages["labels_features"] = time.perf_counter() - t

    t = time.perf_counter()
    boosters, aucs = {}, {}
    x_train, x_valid, x_test = (f[FEATURES].to_numpy(np.float32) for f in (train, valid, test))
    for target in ("churn", "upsell"):
        dtrain = xgb.DMatrix(x_train, label=(train["label"] == target).to_numpy(np.float32), missing=np.nan, nthread=2)
        dvalid = xgb.DMatrix(x_valid, label=(valid["label"] == target).to_numpy(np.float32), missing=np.nan, nthread=2)
        b = xgb.train(PARAMS, dtrain, num_boost_round=ROUNDS, evals=[(dvalid, "valid")], early_stopping_rounds=EARLY_STOP, verbose_eval=False)
        trees = b.best_iteration + 1
        p = b.predict(xgb.DMatrix(x_test, missing=np.nan, nthread=2), iteration_range=(0, trees))
        aucs[target] = roc_auc_score((test["label"] == target).to_numpy(), p)
        boosters[target] = (b, trees)
    stages["train_evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    dscore = xgb.DMatrix(scoring[FEATURES].to_numpy(np.float32), missing=np.nan, nthread=2)
    b_churn, n_churn = boosters["churn"]
    b_up, n_up = boosters["upsell"]
    p_churn = b_churn.predict(dscore, iteration_range=(0, n_churn))
    p_up = b_up.predict(dscore, iteration_range=(0, n_up))
    contribs = b_churn.predict(dscore, iteration_range=(0, n_churn), pred_contribs=True)[:, :len(FEATURES)]
    order = np.argsort(-contribs, axis=1)
    names = np.array(FEATURES)
    run_rate = np.nan_to_num(scoring["run_rate"].to_numpy())
    priority = MONTHS_AT_RISK * run_rate * (p_churn + UPSELL_RATIO * p_up)
    products = pd.DataFrame({"account": scoring["account"].to_numpy(), "priority": priority, "p_churn": p_churn, "p_upsell": p_up,
                             "reasons_for": ["; ".join(r) for r in names[order[:, :3]]],
                             "reasons_against": ["; ".join(r) for r in names[order[:, -2:][:, ::-1]]]})
    # Per account: the sum of its products' priorities; reasons of its highest-priority product.
    top = products.sort_values(["account", "priority"], ascending=[True, False]).drop_duplicates("account")
    accounts = products.groupby("account", sort=True).agg(priority=("priority", "sum"), p_churn=("p_churn", "max"), p_upsell=("p_upsell", "max"))
    accounts = accounts.join(top.set_index("account")[["reasons_for", "reasons_against"]])
    accounts["account_id"] = account_ids[accounts.index.to_numpy()]
    as_of = (first + pd.DateOffset(months=int(scoring["t"].iloc[0]))).strftime("%Y-%m-%d")
    owners = book[(book["from_date"] <= as_of) & ((book["to_date"] == "") | (book["to_date"] > as_of))]
    owners = owners.sort_values("from_date").drop_duplicates("account_id", keep="last")[["account_id", "rep_id"]]
    ranked = accounts.merge(owners, on="account_id", how="left").fillna({"rep_id": "(unassigned)"})
    ranked = ranked.sort_values(["rep_id", "priority", "account_id"], ascending=[True, False, True])
    ranked["rank"] = ranked.groupby("rep_id").cumcount() + 1
    share = ranked["rank"] / ranked.groupby("rep_id")["rank"].transform("max")
    ranked["grade"] = np.select([share <= c for c, _ in GRADES], [g for _, g in GRADES])
    ranked["as_of"] = as_of
    ranked[["as_of", "rep_id", "rank", "grade", "account_id", "priority", "p_churn", "p_upsell", "reasons_for", "reasons_against"]] \
        .to_csv(os.path.join(out_dir, "book.csv"), index=False, float_format="%.6g")
    stages["score_explain_write"] = time.perf_counter() - t

    total = sum(stages.values())
    print("; ".join(f"{k} {v:.2f} s" for k, v in stages.items()) + f"; total {total:.2f} s")
    print(f"snapshots {len(labelled):,} labelled (train {len(train):,}, valid {len(valid):,}, test {len(test):,}), "
          f"scored {len(scoring):,} account-products, {len(ranked):,} accounts in {ranked['rep_id'].nunique():,} books as of {as_of}")
    print(f"test AUC churn {aucs['churn']:.4f}, upsell {aucs['upsell']:.4f}; trees churn {n_churn}, upsell {n_up}; "
          f"peak RSS {peak_mb():.0f} MB; load avg {load_avg()}")


if __name__ == "__main__":
    main()
