"""BG/NBD (and Pareto/NBD) fitted with scipy on the same CDNOW summaries as the C# bench (`Workbench.Bench clv`).

Same log-likelihoods as lifetimes (BetaGeoFitter / ParetoNBDFitter), log-parameterised, scipy.optimize.minimize
(BFGS with numeric gradients by default, as lifetimes does with Nelder-Mead/BFGS). Run the C# side first (it writes
bench/data/cdnow_master_summary.csv), then:
    /usr/bin/python3 bench/clv_scipy.py [repeats=5]
"""
import os
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, logsumexp

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("WORKBENCH_SHARED_DATASETS", os.path.join(here, "..", "..", "shared", "datasets"))
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def load(path, cols):
    a = np.genfromtxt(path, delimiter=",", skip_header=1)
    return a[:, cols[0]], a[:, cols[1]], a[:, cols[2]]


def compress(x, tx, T):
    rows, w = np.unique(np.stack([x, tx, T], axis=1), axis=0, return_counts=True)
    return rows[:, 0], rows[:, 1], rows[:, 2], w.astype(float)


def bgnbd_nll(logp, x, tx, T, w):
    r, alpha, a, b = np.exp(logp)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    ll = a1 + a2 + np.logaddexp(a3, a4)
    return -(w * ll).sum() / w.sum()


def pnbd_nll(logp, x, tx, T, w):
    r, alpha, s, beta = np.exp(logp)
    if alpha < beta:
        mn, mx, t = alpha, beta, r + x
    else:
        mn, mx, t = beta, alpha, s + 1
    d = mx - mn
    rsx = r + s + x
    p1 = hyp2f1(rsx, t, rsx + 1, d / (mx + tx)); q1 = mx + tx
    p2 = hyp2f1(rsx, t, rsx + 1, d / (mx + T)); q2 = mx + T
    log_a0 = logsumexp([np.log(p1) + rsx * np.log(q2), np.log(p2) + rsx * np.log(q1)], axis=0,
                       b=[np.ones_like(x), -np.ones_like(x)]) - rsx * np.log(q1 * q2)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    a2 = np.logaddexp(-(r + x) * np.log(alpha + T) - s * np.log(beta + T), np.log(s) + log_a0 - np.log(rsx))
    return -(w * (a1 + a2)).sum() / w.sum()


def fit(name, nll, start, data):
    with np.errstate(all="ignore"):
        minimize(nll, np.log(start), args=data, method="BFGS")  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            res = minimize(nll, np.log(start), args=data, method="BFGS")
            times.append(time.perf_counter() - t)
    times.sort()
    p = np.exp(res.x)
    ll = -res.fun * data[3].sum()
    print(f"{name}: best {times[0] * 1000:.1f} ms, median {times[len(times) // 2] * 1000:.1f} ms over {repeats}; "
          f"params {' '.join(f'{v:.4f}' for v in p)} LL {ll:.2f} (nit {res.nit}, nfev {res.nfev})")


print(f"scipy {scipy.__version__}; numpy {np.__version__}; cpus {os.cpu_count()}; load avg {' '.join(open('/proc/loadavg').read().split()[:3])}")
master = compress(*load(os.path.join(here, "data", "cdnow_master_summary.csv"), (0, 1, 2)))
small = compress(*load(os.path.join(shared, "cdnow-lifetimes", "cdnow_customers_summary.csv"), (1, 2, 3)))
print(f"full CDNOW: {int(master[3].sum())} customers, {len(master[0])} distinct rows; 1/10: {int(small[3].sum())} customers")
fit("BG/NBD full CDNOW (23,570)", bgnbd_nll, [1.0, 38.0, 1.0, 1.0], master)
fit("BG/NBD 1/10 cohort (2,357)", bgnbd_nll, [1.0, 38.0, 1.0, 1.0], small)
fit("Pareto/NBD full CDNOW (23,570)", pnbd_nll, [1.0, 38.0, 1.0, 38.0], master)
