#!/usr/bin/python3
"""Latency of the workbench C# kernel through the real Jupyter client.

Usage: /usr/bin/python3 bench/kernel_bench.py [--runs 50] [--code CODE] [--setup CODE] WORKBENCH_COMMAND...
       /usr/bin/python3 bench/kernel_bench.py [--runs 50] [--code CODE] [--setup CODE] ipykernel
  e.g. /usr/bin/python3 bench/kernel_bench.py dotnet src/Workbench.Cli/bin/Release/net10.0/workbench.dll
  "ipykernel" runs the same measurement on Debian's python3-ipykernel (the peer in bench/README.md).
  --code is the timed cell (default "1 + 1"); --setup runs once before it (e.g. --setup "var x = 1;" --code "x + 1",
  a cell that must be compiled against the session, or for ipykernel --setup "x = 1").
Measures (wall clock, this machine):
  start_to_ready   start_kernel() until the kernel answers kernel_info (wait_for_ready)
  first_cell       the first execute of "1 + 1" right after ready (send to execute_reply)
  start_to_first   start_kernel() until that first reply
  warm round trip  median / p90 / min of N further executes of "1 + 1" (send to execute_reply; iopub idle drained)
  cpu per cell     user + sys CPU of the kernel process and its descendants (the executor child) over the N timed
                   executes, divided by N (from /proc; a load-independent view of the cost when the machine is shared)
  --threads        also CPU per cell of each thread of the kernel and its descendants (/proc/PID/task), by thread name
  --pairs N        the workbench kernel and ipykernel alternately, N times each, in this one run: a line per kernel
                   started, then each one's median of medians, the ratio, and how many medians were within 5 ms
                   (e.g. /usr/bin/python3 bench/kernel_bench.py --pairs 4 --runs 200 dotnet BIN/workbench.dll)
  --windows K      with --pairs: K such runs, --gap S seconds apart (default 300), each summarized, then one summary
                   over all K x N pairs (the machine's speed drifts over minutes; one window is one sample of it)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import jupyter_client


# WORKBENCH_KERNEL_TIMINGS=FILE: the kernel, its executor child and this client append their marks to FILE (one time
# line: CLOCK_MONOTONIC ns); bench/kernel_timings.py FILE splits each cell's round trip into steps.
TIMINGS = os.environ.get("WORKBENCH_KERNEL_TIMINGS")
marks = []


def mark(what):
    if TIMINGS:
        marks.append(f"{time.monotonic_ns()} {os.getpid()} {what}\n")


def execute(kc, code):
    t0 = time.perf_counter()
    mark("py.send")
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t0
    mark("py.reply")
    assert reply["content"]["status"] == "ok", reply["content"]
    # drain iopub up to idle so the next run starts clean
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    mark("py.idle")
    return elapsed * 1000


def tree_cpu_seconds(root_pid):
    """User + sys CPU seconds of root_pid alone and of root_pid with every live descendant (/proc/PID/stat, fields 14
    and 15)."""
    children, cpu = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        children.setdefault(int(fields[1]), []).append(pid)
        cpu[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0)
        todo.extend(children.get(pid, []))
    tick = os.sysconf("SC_CLK_TCK")
    return cpu.get(root_pid, 0) / tick, total / tick


def thread_cpu_seconds(root_pid):
    """{(pid, tid, name): user + sys CPU seconds} of every thread of root_pid and its live descendants."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(name))
            except OSError:
                pass
    out, todo, tick = {}, [root_pid], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    text = f.read()
            except OSError:
                continue
            comm = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            out[(pid, int(tid), comm)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def write_marks():
    if TIMINGS:
        with open(TIMINGS, "a") as f:
            f.writelines(marks)


def measure(workbench, args, code, setup):
    """One kernel started, warmed up and timed on code (after setup, if any): workbench is the command that runs the
    workbench CLI, or ["ipykernel"]. Returns the numbers main prints."""
    prefix = tempfile.mkdtemp(prefix="workbench-bench-")
    try:
        if workbench == ["ipykernel"]:
            km = jupyter_client.KernelManager(kernel_name="python3")
        else:
            subprocess.run(workbench + ["kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
            os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
            km = jupyter_client.KernelManager(kernel_name="workbench-csharp")
        t_start = time.perf_counter()
        km.start_kernel(stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            ready_ms = (time.perf_counter() - t_start) * 1000
            first_ms = execute(kc, "1 + 1")
            start_to_first_ms = (time.perf_counter() - t_start) * 1000
            if setup:
                execute(kc, setup)
            for _ in range(5):
                execute(kc, code)
            kernel_pid = km.provisioner.pid if getattr(km, "provisioner", None) else km.kernel.pid
            threads_before = thread_cpu_seconds(kernel_pid) if args.threads else {}
            cpu_before = tree_cpu_seconds(kernel_pid)
            warm = [execute(kc, code) for _ in range(args.runs)]
            cpu_after = tree_cpu_seconds(kernel_pid)
            threads_after = thread_cpu_seconds(kernel_pid) if args.threads else {}
            kernel_cpu_ms, cpu_per_cell_ms = ((a - b) * 1000 / args.runs for a, b in zip(cpu_after, cpu_before))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
        # medians per block of --blocks cells, in the order they ran: whether a cell costs more the longer the session runs
        blocks = [statistics.median(warm[i:i + args.blocks]) for i in range(0, len(warm), args.blocks)] if args.blocks else []
        warm.sort()
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        by_name = {}
        for key, after in threads_after.items():
            pid, _, comm = key
            role = "kernel" if pid == kernel_pid else f"child {pid}"
            by_name[(role, comm)] = by_name.get((role, comm), 0) + after - threads_before.get(key, 0)
        return {"ready": ready_ms, "first": first_ms, "start_to_first": start_to_first_ms, "median": statistics.median(warm),
                "p90": warm[int(0.9 * (len(warm) - 1))], "min": warm[0], "n": len(warm), "code": code, "load": load,
                "cpu": cpu_per_cell_ms, "kernel_cpu": kernel_cpu_ms, "threads": by_name, "blocks": blocks}
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def report(r, runs):
    print(f"start_to_ready_ms   {r['ready']:8.1f}")
    print(f"first_cell_ms       {r['first']:8.1f}")
    print(f"start_to_first_ms   {r['start_to_first']:8.1f}")
    print(f"warm_median_ms      {r['median']:8.2f}   (n={r['n']}, code {r['code']!r}, p90 {r['p90']:.2f}, min {r['min']:.2f}; load avg {r['load']})")
    print(f"cpu_per_cell_ms     {r['cpu']:8.2f}   (kernel process and its children, user + sys; the kernel process alone {r['kernel_cpu']:.2f})")
    if r["blocks"]:
        print("block_medians_ms    " + " ".join(f"{b:.2f}" for b in r["blocks"]))
    for (role, comm), seconds in sorted(r["threads"].items(), key=lambda kv: -kv[1]):
        if seconds > 0:
            print(f"  thread cpu/cell   {seconds * 1000 / runs:8.3f} ms  {role:12} {comm}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--code", default="1 + 1")
    parser.add_argument("--setup", default=None)
    parser.add_argument("--threads", action="store_true")
    # --blocks B: also the median of each block of B warm cells, in the order they ran (single runs; --pairs prints none)
    parser.add_argument("--blocks", type=int, default=0)
    # --pairs N: the workbench kernel and ipykernel (the peer) started alternately N times each in this one run, then
    # both medians of medians and their ratio; --peer-code / --peer-setup are the peer's cells (default: --code, --setup).
    parser.add_argument("--pairs", type=int, default=0)
    parser.add_argument("--peer-code", default=None)
    parser.add_argument("--peer-setup", default=None)
    # --windows K --gap S: K runs of --pairs, S seconds apart, then one summary over every pair of every window (the
    # machine's speed drifts over minutes; one window is one sample of it).
    parser.add_argument("--windows", type=int, default=1)
    parser.add_argument("--gap", type=float, default=300)
    parser.add_argument("workbench", nargs="+")
    args = parser.parse_args()
    if args.pairs <= 0:
        r = measure(args.workbench, args, args.code, args.setup)
        write_marks()
        report(r, args.runs)
        return
    if args.windows < 1 or args.gap < 0:
        parser.error("--windows must be at least 1 and --gap at least 0")
    if args.workbench == ["ipykernel"]:
        parser.error("--pairs needs the workbench command (ipykernel is the peer it runs beside)")
    kernels = (("workbench", args.workbench, args.code, args.setup),
               ("ipykernel", ["ipykernel"], args.peer_code or args.code, args.peer_setup or args.setup))
    everything = {name: [] for name, *_ in kernels}
    for window in range(args.windows):
        if window > 0:
            time.sleep(args.gap)
        if args.windows > 1:
            print(f"window {window + 1} of {args.windows}, {time.strftime('%H:%M:%S', time.gmtime())} UTC", flush=True)
        results = {name: [] for name, *_ in kernels}
        for i in range(args.pairs):
            for name, command, code, setup in kernels:
                r = measure(command, args, code, setup)
                results[name].append(r)
                everything[name].append(r)
                print(f"pair {i + 1} {name:9}  median {r['median']:6.2f} ms  p90 {r['p90']:6.2f}  min {r['min']:5.2f}  "
                      f"cpu/cell {r['cpu']:5.2f} ms (kernel process {r['kernel_cpu']:.2f})  load avg {r['load']}", flush=True)
        summarize(results, "")
    write_marks()
    if args.windows > 1:
        summarize(everything, "all windows: ")


def summarize(results, label):
    """Each kernel's median of its medians, the ratio, and how many medians were within the 5 ms target."""
    summary = {}
    for name, rs in results.items():
        medians = [r["median"] for r in rs]
        summary[name] = (statistics.median(medians), statistics.median(r["cpu"] for r in rs))
        print(f"{label}{name:9}  median of medians {summary[name][0]:6.2f} ms (range {min(medians):.2f}-{max(medians):.2f}), "
              f"p90 median {statistics.median(r['p90'] for r in rs):.2f}, cpu/cell {summary[name][1]:.2f} ms")
    (mo, co), (mp, cp) = summary["workbench"], summary["ipykernel"]
    n = len(results["workbench"])
    within = {name: sum(r["median"] <= 5 for r in rs) for name, rs in results.items()}
    print(f"{label}ratio workbench / ipykernel: median {mo / mp:.2f}x, cpu per cell {co / cp:.2f}x; "
          f"pairs where workbench's median was at most 5 ms: {within['workbench']} of {n} "
          f"(ipykernel: {within['ipykernel']} of {n})", flush=True)

if __name__ == "__main__":
    main()
