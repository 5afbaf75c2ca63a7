"""scikit-learn KMeans (algorithm='lloyd') on the same file the C# bench writes.

Run the C# side first (it generates bench/data/kmeans_{rows}x{dims}.f64), then:
    /usr/bin/python3 bench/kmeans_sklearn.py [rows] [dims] [k] [n_init] [max_iter] [repeats]
"""
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans

rows, dims, k, n_init, max_iter, repeats = (int(a) for a in (sys.argv[1:] + ["1000000", "16", "8", "3", "50", "3"][len(sys.argv) - 1:]))
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", f"kmeans_{rows}x{dims}.f64")
x = np.fromfile(path, dtype="<f8").reshape(rows, dims)
print(f"data {path}; sklearn {sklearn.__version__}; numpy {np.__version__}; cpus {os.cpu_count()}")

# Warm-up on a slice (thread pool start, imports).
KMeans(n_clusters=k, n_init=1, max_iter=5, tol=0, algorithm="lloyd", random_state=0).fit(x[:10000])

for rep in range(repeats):
    # 1) Lloyd iterations alone from fixed starting centroids (the first k rows), same as the C# bench.
    t = time.perf_counter()
    m = KMeans(n_clusters=k, init=x[:k].copy(), n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd").fit(x)
    lloyd = time.perf_counter() - t
    print(f"sklearn lloyd-from-fixed-init: iterations {m.n_iter_}, total {lloyd:.3f} s, "
          f"per iteration {lloyd / m.n_iter_ * 1000:.2f} ms, inertia {m.inertia_!r}")

    # 2) Full fit: k-means++ seeding, n_init restarts, max_iter each, tol 0.
    t = time.perf_counter()
    m = KMeans(n_clusters=k, init="k-means++", n_init=n_init, max_iter=max_iter, tol=0, algorithm="lloyd", random_state=42).fit(x)
    total = time.perf_counter() - t
    print(f"sklearn full fit (k-means++, n_init={n_init}, max_iter={max_iter}, tol=0): total {total:.3f} s, "
          f"best-run iterations {m.n_iter_}, inertia {m.inertia_!r}")
