#!/usr/bin/python3
"""Splits the kernel round trips recorded with WORKBENCH_KERNEL_TIMINGS into steps.

Usage: WORKBENCH_KERNEL_TIMINGS=/tmp/marks /usr/bin/python3 bench/kernel_bench.py ... ; /usr/bin/python3 bench/kernel_timings.py /tmp/marks [--last N]
       (in process, no client: WORKBENCH_KERNEL_TIMINGS=/tmp/marks $B kernel-cells 100 "1 + 1" --session-only; ... --start s.enter)
Each line of the file is "ns pid mark" (CLOCK_MONOTONIC, written by the client, the kernel, the executor child and the
session). A cell is the marks from one "py.send" to the next; only cells with a "py.reply" count. For each step (the
mark before -> the mark), prints the median and p90 over the last N cells (default: all but the first 6, the first cell
and the warm-ups), in the order the steps usually happen. "py.send -> py.reply" is the round trip kernel_bench.py times.
"""
import statistics
import sys


def main():
    path = sys.argv[1]
    last = int(sys.argv[sys.argv.index("--last") + 1]) if "--last" in sys.argv else None
    # --start MARK: cells start at another mark (s.enter for Workbench.Bench kernel-cells, which has no client)
    first = sys.argv[sys.argv.index("--start") + 1] if "--start" in sys.argv else "py.send"
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) < 3 or not parts[0].isdigit():
                continue  # a line cut short (two processes appending at once)
            rows.append((int(parts[0]), parts[2]))
    rows.sort()
    cells, current = [], None
    for ns, mark in rows:
        if mark == first:
            current = [(ns, mark)]
            cells.append(current)
        elif current is not None:
            current.append((ns, mark))
    end = "py.reply" if first == "py.send" else None
    cells = [c for c in cells if end is None or any(m == end for _, m in c)]
    cells = cells[-last:] if last else cells[6:]
    steps, position = {}, {}
    totals = []
    for cell in cells:
        start = cell[0][0]
        reply = next((ns for ns, m in cell if m == end), cell[-1][0])
        totals.append((reply - start) / 1e6)
        for i in range(1, len(cell)):
            key = f"{cell[i - 1][1]} -> {cell[i][1]}"
            steps.setdefault(key, []).append((cell[i][0] - cell[i - 1][0]) / 1e6)
            position.setdefault(key, []).append((cell[i][0] - start) / 1e6)
    print(f"{len(cells)} cells; {first} to the last mark (py.reply with the client) median {statistics.median(totals):.2f} ms, min {min(totals):.2f}")
    print(f"{'step':60} {'n':>4} {'median ms':>10} {'p90 ms':>8}  {'at (median ms)':>14}")
    for key in sorted(steps, key=lambda k: statistics.median(position[k])):
        v = sorted(steps[key])
        print(f"{key:60} {len(v):4d} {statistics.median(v):10.3f} {v[int(0.9 * (len(v) - 1))]:8.3f}  {statistics.median(position[key]):14.2f}")


if __name__ == "__main__":
    main()
