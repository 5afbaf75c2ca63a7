"""Labels and a subset of the point-in-time features in pandas, for a side-by-side timing with the C# feature stage.

Reads the same CSV tables the C# bench wrote (bench/data/crm-{accounts}x{months}-s42/csv), computes the same
snapshots (every account-product billed in the month before the as-of date; as-of months from 6 to months-3,
every `step` months), the same booking labels (churn: a cancellation or non-renewal in [t, t+3); upsell: an add-on;
else flat) and nine features:
    spend_mean_1m/3m/6m/12m, utilization_1m, utilization_change_3m, meetings_3m, tickets_3m, product_tenure_months
then checks them against the C# features.csv sample (every 100th account) written by
    dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll features 100000 36 <step>

Run:  /usr/bin/python3 bench/features_pandas.py [accounts=100000] [months=36] [step=1] [repeats=3]
Idiomatic pandas: monthly facts are pivoted to one row per account-product and one column per month
(the same dense layout as the C# MonthlyPanel), windows are rolling means/sums along the months.
"""
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

HORIZON, MIN_HISTORY = 3, 6
FEATURES = ["spend_mean_1m", "spend_mean_3m", "spend_mean_6m", "spend_mean_12m", "utilization_1m", "utilization_change_3m",
            "meetings_3m", "tickets_3m", "product_tenure_months"]


def load_avg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_tables(data):
    accounts = pd.read_csv(os.path.join(data, "accounts.csv"), usecols=["account_id"])
    products = pd.read_csv(os.path.join(data, "products.csv"), usecols=["product_id"])
    spend = pd.read_csv(os.path.join(data, "spend.csv"), parse_dates=["month"])
    usage = pd.read_csv(os.path.join(data, "usage.csv"), usecols=["account_id", "product_id", "month", "seats_purchased", "seats_used", "utilization"],
                        parse_dates=["month"])
    engagement = pd.read_csv(os.path.join(data, "engagement.csv"), usecols=["account_id", "date", "type"], parse_dates=["date"])
    bookings = pd.read_csv(os.path.join(data, "bookings.csv"), usecols=["account_id", "product_id", "date", "type"], parse_dates=["date"])
    contracts = pd.read_csv(os.path.join(data, "contracts.csv"), usecols=["account_id", "product_id"])
    return accounts, products, spend, usage, engagement, bookings, contracts


def compute(accounts, products, spend, usage, engagement, bookings, contracts, step=1, score_month=False, pick_months=None):
    """Labelled snapshots at every `step`-th as-of month (or at `pick_months(labelled as-of months)`); with `score_month`,
    also the snapshots as of the month after the data's last month (label "", nothing to label them with yet), the ones
    a scoring ranks."""
    # Codes: accounts and products in ordinal order, as the C# panel numbers them.
    account_ids = np.sort(accounts["account_id"].to_numpy().astype(str))
    product_ids = np.sort(products["product_id"].to_numpy().astype(str))
    acc = pd.CategoricalDtype(account_ids)
    prod = pd.CategoricalDtype(product_ids)
    n_prod = len(product_ids)

    first = min(spend["month"].min(), usage["month"].min())
    last = max(spend["month"].max(), usage["month"].max())
    M = (last.year - first.year) * 12 + last.month - first.month + 1

    def month_index(s):
        return (s.dt.year - first.year) * 12 + s.dt.month - first.month

    def pair_code(df):
        return df["account_id"].astype(acc).cat.codes.astype(np.int64) * n_prod + df["product_id"].astype(prod).cat.codes

    for df in (spend, usage, bookings, contracts):
        df["pair"] = pair_code(df)
    spend["m"] = month_index(spend["month"])
    usage["m"] = month_index(usage["month"])
    pairs = np.unique(np.concatenate([spend["pair"].to_numpy(), usage["pair"].to_numpy(), contracts["pair"].to_numpy()]))
    months = pd.RangeIndex(M)

    def wide(df, value, fill):
        w = df.groupby(["pair", "m"])[value].sum(min_count=1).unstack("m")
        return w.reindex(index=pairs, columns=months).fillna(fill) if fill is not None else w.reindex(index=pairs, columns=months)

    spend_w = wide(spend, "amount", 0.0)
    util = usage["utilization"].where(usage["utilization"].notna(),
                                      (usage["seats_used"] / usage["seats_purchased"]).where(usage["seats_purchased"] > 0))
    usage = usage.assign(util=util)
    util_w = usage.set_index(["pair", "m"])["util"].unstack("m").reindex(index=pairs, columns=months)

    # Rolling windows along the months; the value at column c covers months (c-w, c]: features at t read column t-1.
    spend_mean = {w: spend_w.T.rolling(w, min_periods=1).mean().T.to_numpy() for w in (1, 3, 6, 12)}

    engagement = engagement.assign(m=month_index(engagement["date"]), a=engagement["account_id"].astype(acc).cat.codes)
    engagement = engagement[(engagement["m"] >= 0) & (engagement["m"] < M) & (engagement["a"] >= 0)]

    def account_rolling_sum(kind, w):
        counts = engagement[engagement["type"] == kind].groupby(["a", "m"]).size().unstack("m")
        counts = counts.reindex(index=pd.RangeIndex(len(account_ids)), columns=months).fillna(0.0)
        return counts.T.rolling(w, min_periods=1).sum().T.to_numpy()

    meetings3 = account_rolling_sum("meeting", 3)
    tickets3 = account_rolling_sum("support_ticket", 3)

    # Booking labels: counts per pair and month, summed over the label window [t, t+3) = rolling sum ending at t+2.
    bookings = bookings.assign(m=month_index(bookings["date"]))
    bookings = bookings[(bookings["m"] >= 0) & (bookings["m"] < M) & bookings["pair"].isin(pairs)]

    def booking_window(kinds):
        counts = bookings[bookings["type"].isin(kinds)].groupby(["pair", "m"]).size().unstack("m")
        counts = counts.reindex(index=pairs, columns=months).fillna(0.0)
        return counts.T.rolling(HORIZON, min_periods=1).sum().T.to_numpy()

    churn_win = booking_window(["cancellation", "non_renewal"])
    upsell_win = booking_window(["add_on"])

    spend_np = spend_w.to_numpy()
    util_np = util_w.to_numpy()
    billed = spend_np > 0
    first_spend = np.where(billed.any(axis=1), billed.argmax(axis=1), M)
    pair_account = pairs // n_prod
    pair_product = pairs % n_prod

    labelled = list(range(MIN_HISTORY, M - HORIZON + 1))
    as_of = (pick_months(labelled) if pick_months else labelled[::step]) + ([M] if score_month else [])
    frames = []
    for t in as_of:
        rows = np.flatnonzero(spend_np[:, t - 1] > 0)
        a = pair_account[rows]
        if t + HORIZON - 1 < M:
            churn = churn_win[rows, t + HORIZON - 1] > 0
            upsell = upsell_win[rows, t + HORIZON - 1] > 0
            label = np.where(churn, "churn", np.where(upsell, "upsell", "flat"))
        else:
            label = np.full(len(rows), "", dtype=object)
        frames.append(pd.DataFrame({
            "account": a, "product": pair_product[rows], "t": t, "label": label,
            "run_rate": spend_mean[3][rows, t - 1],
            "spend_mean_1m": spend_mean[1][rows, t - 1], "spend_mean_3m": spend_mean[3][rows, t - 1],
            "spend_mean_6m": spend_mean[6][rows, t - 1], "spend_mean_12m": spend_mean[12][rows, t - 1],
            "utilization_1m": util_np[rows, t - 1], "utilization_change_3m": util_np[rows, t - 1] - util_np[rows, t - 4],
            "meetings_3m": meetings3[a, t - 1], "tickets_3m": tickets3[a, t - 1],
            "product_tenure_months": np.where(first_spend[rows] < t, t - first_spend[rows], 0),
        }))
    out = pd.concat(frames, ignore_index=True)
    return out, account_ids, product_ids, first


def check(out, account_ids, product_ids, first, sample_csv):
    """Compares every row of the C# sample (every 100th account) with the pandas rows of the same accounts."""
    cs = pd.read_csv(sample_csv, usecols=["account_id", "product_id", "as_of", "label"] + FEATURES)
    mine = out[out["account"] % 100 == 0].copy()
    mine["account_id"] = account_ids[mine["account"].to_numpy()]
    mine["product_id"] = product_ids[mine["product"].to_numpy()]
    mine["as_of"] = [(first + pd.DateOffset(months=int(t))).strftime("%Y-%m-%d") for t in mine["t"]]
    merged = cs.merge(mine, on=["account_id", "product_id", "as_of"], how="outer", suffixes=("_cs", "_py"), indicator=True)
    only_cs = int((merged["_merge"] == "left_only").sum())
    only_py = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    label_diff = int((both["label_cs"] != both["label_py"]).sum())
    print(f"check vs {sample_csv}: C# rows {len(cs):,}, pandas rows {len(mine):,}, only in C# {only_cs}, only in pandas {only_py}, "
          f"label mismatches {label_diff} of {len(both):,}")
    worst = 0
    for f in FEATURES:
        a = both[f + "_cs"].to_numpy(dtype=float)
        b = both[f + "_py"].to_numpy(dtype=float)
        nan_mismatch = int((np.isnan(a) != np.isnan(b)).sum())
        ok = ~np.isnan(a) & ~np.isnan(b)
        rel = np.abs(a[ok] - b[ok]) / np.maximum(1.0, np.abs(b[ok]))
        bad = int((rel > 1e-5).sum())  # C# stores features as float32
        worst = max(worst, bad + nan_mismatch)
        print(f"  {f:24s} compared {ok.sum():,}, max rel diff {rel.max() if ok.any() else 0:.2e}, beyond 1e-5: {bad}, NaN mismatches {nan_mismatch}")
    agree = only_cs == 0 and only_py == 0 and label_diff == 0 and worst == 0
    print("AGREE" if agree else "DISAGREE")
    return agree


def main():
    accounts_n, months_n, step, repeats = (int(a) for a in (sys.argv[1:] + ["100000", "36", "1", "3"][len(sys.argv) - 1:]))
    bench = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(bench, "data", f"crm-{accounts_n}x{months_n}-s42", "csv")
    sample_csv = os.path.join(bench, "data", f"features-{accounts_n}x{months_n}-step{step}", "features.csv")
    print(f"pandas {pd.__version__}, numpy {np.__version__}, {os.cpu_count()} cpus; data {data}; step {step}; load avg {load_avg()}")
    reads, computes = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        tables = read_tables(data)
        t1 = time.perf_counter()
        out, account_ids, product_ids, first = compute(*tables, step=step)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        computes.append(t2 - t1)
        counts = out["label"].value_counts().to_dict()
        print(f"run {r + 1}: read_csv {t1 - t0:.2f} s, labels + {len(FEATURES)} features {t2 - t1:.2f} s "
              f"({len(out) / (t2 - t1):,.0f} snapshots/s), {len(out):,} snapshots {counts}, peak RSS {peak_mb():.0f} MB; load avg {load_avg()}")
        del tables
    print(f"pandas read_csv: best {min(reads):.2f} s, median {np.median(reads):.2f} s; "
          f"compute: best {min(computes):.2f} s, median {np.median(computes):.2f} s over {repeats} run(s); peak RSS {peak_mb():.0f} MB")
    if os.path.exists(sample_csv):
        sys.exit(0 if check(out, account_ids, product_ids, first, sample_csv) else 1)
    print(f"no C# sample at {sample_csv}: run the C# features bench first to check values")


if __name__ == "__main__":
    main()
