"""Peer for `Workbench.Bench territory`: the same grouped territory assignment solved by HiGHS (scipy.optimize.milp).

Reads bench/data/territory-{accounts}x{reps}-{free|moves}-{regions}/ written by the C# bench (accounts.csv: profile,
region, owner; values.csv: profiles x reps; reps.csv: region, lower, upper; meta.csv: max_moves, same_region), builds
the identical model (class -> owner "stay" variables, pool -> rep "move" variables, rep capacity ranges, pool
balance, total moves <= max_moves), solves it to optimality and prints the objective and the time.

    /usr/bin/python3 bench/territory_scipy.py bench/data/territory-100000x200-moves-SameRegion
"""
import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

d = sys.argv[1]
t0 = time.perf_counter()
acc = pd.read_csv(f"{d}/accounts.csv")
values = np.loadtxt(f"{d}/values.csv", delimiter=",", ndmin=2)
reps = pd.read_csv(f"{d}/reps.csv")
meta = pd.read_csv(f"{d}/meta.csv")
max_moves = meta["max_moves"].iloc[0]
same_region = int(meta["same_region"].iloc[0]) == 1
t_read = time.perf_counter() - t0

t1 = time.perf_counter()
classes = acc.groupby(["profile", "region", "owner"]).size().reset_index(name="n")
classes["pool_region"] = classes["region"] if same_region else -1
pools = classes.groupby(["profile", "pool_region"])["n"].sum().reset_index()
pools["pool"] = np.arange(len(pools))
classes = classes.merge(pools[["profile", "pool_region", "pool"]], on=["profile", "pool_region"])
rep_region = reps["region"].to_numpy()
lower, upper = reps["lower"].to_numpy(), reps["upper"].to_numpy()
R = len(reps)

cost, lb, ub = [], [], []
rows_pool, rows_rep, stay_cols = [], [], []  # (row, col) entries
col = 0
for c in classes.itertuples():
    o = c.owner
    if o >= 0 and (not same_region or rep_region[o] == c.region):
        cost.append(-values[c.profile, o]); lb.append(0); ub.append(c.n)
        rows_pool.append((c.pool, col)); rows_rep.append((o, col)); stay_cols.append(col)
        col += 1
for p in pools.itertuples():
    for r in range(R):
        if (same_region and rep_region[r] != p.pool_region) or upper[r] == 0:
            continue
        cost.append(-values[p.profile, r]); lb.append(0); ub.append(min(p.n, upper[r]))
        rows_pool.append((p.pool, col)); rows_rep.append((r, col))
        col += 1
n_vars = col
constraints = []
pr, pc = zip(*rows_pool)
constraints.append(LinearConstraint(coo_matrix((np.ones(len(pr)), (pr, pc)), shape=(len(pools), n_vars)), pools["n"].to_numpy(), pools["n"].to_numpy()))
rr, rc = zip(*rows_rep)
constraints.append(LinearConstraint(coo_matrix((np.ones(len(rr)), (rr, rc)), shape=(R, n_vars)), lower, upper))
if not pd.isna(max_moves):
    row = np.zeros(n_vars); row[stay_cols] = 1
    constraints.append(LinearConstraint(row.reshape(1, -1), len(acc) - int(max_moves), np.inf))
t_build = time.perf_counter() - t1

t2 = time.perf_counter()
res = milp(np.array(cost), constraints=constraints, integrality=np.ones(n_vars), bounds=Bounds(lb, ub),
           options={"disp": False, "mip_rel_gap": 0.0})
t_solve = time.perf_counter() - t2
if not res.success:
    print(f"scipy milp: {res.message}")
    sys.exit(1)
moves_counted = len(acc) - int(round(sum(res.x[c] for c in stay_cols)))
print(f"scipy {__import__('scipy').__version__} milp (HiGHS): {len(classes)} classes, {n_vars} variables; objective {-res.fun:.6f}; "
      f"moves (counted) {moves_counted}; read {t_read:.2f} s, build {t_build:.2f} s, solve {t_solve:.2f} s, build+solve {t_build + t_solve:.2f} s")
