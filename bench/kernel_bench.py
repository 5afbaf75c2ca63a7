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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--code", default="1 + 1")
    parser.add_argument("--setup", default=None)
    parser.add_argument("--threads", action="store_true")
    parser.add_argument("workbench", nargs="+")
    args = parser.parse_args()
    prefix = tempfile.mkdtemp(prefix="workbench-bench-")
    try:
        if args.workbench == ["ipykernel"]:
            km = jupyter_client.KernelManager(kernel_name="python3")
        else:
            subprocess.run(args.workbench + ["kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
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
            if args.setup:
                execute(kc, args.setup)
            for _ in range(5):
                execute(kc, args.code)
            kernel_pid = km.provisioner.pid if getattr(km, "provisioner", None) else km.kernel.pid
            threads_before = thread_cpu_seconds(kernel_pid) if args.threads else {}
            cpu_before = tree_cpu_seconds(kernel_pid)
            warm = [execute(kc, args.code) for _ in range(args.runs)]
            cpu_after = tree_cpu_seconds(kernel_pid)
            threads_after = thread_cpu_seconds(kernel_pid) if args.threads else {}
            kernel_cpu_ms, cpu_per_cell_ms = ((a - b) * 1000 / args.runs for a, b in zip(cpu_after, cpu_before))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
        if TIMINGS:
            with open(TIMINGS, "a") as f:
                f.writelines(marks)
        warm.sort()
        p90 = warm[int(0.9 * (len(warm) - 1))]
        print(f"start_to_ready_ms   {ready_ms:8.1f}")
        print(f"first_cell_ms       {first_ms:8.1f}")
        print(f"start_to_first_ms   {start_to_first_ms:8.1f}")
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        print(f"warm_median_ms      {statistics.median(warm):8.2f}   (n={len(warm)}, code {args.code!r}, p90 {p90:.2f}, min {warm[0]:.2f}; load avg {load})")
        print(f"cpu_per_cell_ms     {cpu_per_cell_ms:8.2f}   (kernel process and its children, user + sys; the kernel process alone {kernel_cpu_ms:.2f})")
        if args.threads:
            by_name = {}
            for key, after in threads_after.items():
                pid, _, comm = key
                role = "kernel" if pid == kernel_pid else f"child {pid}"
                by_name[(role, comm)] = by_name.get((role, comm), 0) + after - threads_before.get(key, 0)
            for (role, comm), seconds in sorted(by_name.items(), key=lambda kv: -kv[1]):
                if seconds > 0:
                    print(f"  thread cpu/cell   {seconds * 1000 / args.runs:8.3f} ms  {role:12} {comm}")
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
