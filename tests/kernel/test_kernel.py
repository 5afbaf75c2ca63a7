#!/usr/bin/python3
"""End-to-end checks of the workbench C# kernel through the real Jupyter client (jupyter_client, nbconvert).

Usage: /usr/bin/python3 tests/kernel/test_kernel.py WORKBENCH_COMMAND...
  e.g. /usr/bin/python3 tests/kernel/test_kernel.py dotnet src/Workbench.Cli/bin/Debug/net10.0/workbench.dll
Installs the kernelspec with --prefix into a temp folder, points JUPYTER_PATH at it, and exits non-zero on the
first failed check. Needs Debian's jupyter-client, python3-nbclient and jupyter-nbconvert.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import jupyter_client
import nbformat
import zmq
from jupyter_client.session import Session

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL = "workbench-csharp"
passed = []


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name}: {detail}", flush=True)
        sys.exit(1)
    passed.append(name)
    print(f"ok   {name}", flush=True)


def run_cell(kc, code, timeout=60):
    """Executes code and returns (reply content, list of iopub messages for it)."""
    msg_id = kc.execute(code)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id, timeout=60):
    outputs = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        outputs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
    return reply["content"], outputs


def wait_for_stream(kc, msg_id, text, timeout=120):
    """Blocks until the running cell printed text: the cell is then past compilation, inside its loop or wait."""
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream" and text in msg["content"]["text"]:
            return


def of_type(outputs, t):
    return [m for m in outputs if m["msg_type"] == t]


def main():
    workbench = sys.argv[1:]
    if not workbench:
        print(__doc__)
        sys.exit(2)
    prefix = tempfile.mkdtemp(prefix="workbench-kernelspec-")
    try:
        subprocess.run(workbench + ["kernel", "install", "--prefix", prefix], check=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        spec = jupyter_client.kernelspec.KernelSpecManager().get_kernel_spec(KERNEL)
        check("kernelspec installed and found through JUPYTER_PATH", spec.language == "C#", spec.to_dict())
        logos = {name: os.path.join(spec.resource_dir, name) for name in ("logo-32x32.png", "logo-64x64.png")}
        check("the kernelspec holds the 32 and 64 pixel logos as PNG files",
              all(os.path.isfile(p) and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for p in logos.values()), logos)
        kernel_checks()
        parent_death_check()
        chart_profile_check(workbench)
        nbconvert_check(prefix)
        writer_matches_nbformat(workbench, prefix)
        print(f"{len(passed)} checks passed")
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def kernel_checks():
    km = jupyter_client.KernelManager(kernel_name=KERNEL)
    stderr_log = tempfile.NamedTemporaryFile(prefix="workbench-kernel-stderr-", suffix=".log", delete=False)
    km.start_kernel(stderr=stderr_log)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        info = kc.kernel_info(reply=True, timeout=30)["content"]
        check("kernel_info answers on shell", info["language_info"]["name"] == "C#" and info["protocol_version"] == "5.3", info)

        reply, out = run_cell(kc, "var x = 40;\nConsole.WriteLine(\"hello\");\nx + 2")
        check("execute returns ok with a count", reply["status"] == "ok" and reply["execution_count"] == 1, reply)
        check("stdout streams", any(m["content"]["text"] == "hello\n" for m in of_type(out, "stream")), out)
        results = of_type(out, "execute_result")
        check("last expression is an execute_result", results and results[0]["content"]["data"]["text/plain"] == "42", results)
        check("execute_input is broadcast", of_type(out, "execute_input")[0]["content"]["code"].startswith("var x"), out)

        reply, out = run_cell(kc, "var y = 1;\nthrow new InvalidOperationException(\"boom\");")
        check("an exception gives an error reply", reply["status"] == "error" and "InvalidOperationException" in reply["ename"], reply)
        check("the traceback names the cell's own line", any("line 2" in line for line in reply["traceback"]), reply["traceback"])
        reply, out = run_cell(kc, "x + 1")
        check("a cell after an error works", reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "41", out)

        reply, _ = run_cell(kc, "int z = ;")
        check("a compile error reports line and column", reply["status"] == "error" and "line 1, column" in reply["evalue"], reply)

        reply, out = run_cell(kc, "display(new[] { 1, 2 });", timeout=30)
        check("display produces display_data", of_type(out, "display_data")[0]["content"]["data"]["text/plain"] == "[1, 2]", out)

        # Interrupt by SIGINT (the kernelspec's interrupt_mode is signal): an endless loop stops, the kernel answers.
        msg_id = kc.execute("Console.WriteLine(\"looping\");\nlong n = 0; while (true) { n++; }")
        wait_for_stream(kc, msg_id, "looping")
        km.interrupt_kernel()
        reply, _ = collect(kc, msg_id, timeout=30)
        check("SIGINT interrupts an endless loop", reply["status"] == "error" and reply["ename"] == "Interrupted", reply)
        reply, out = run_cell(kc, "x")
        check("the kernel answers after a SIGINT interrupt", reply["status"] == "ok", reply)

        # Interrupt by a control-channel interrupt_request: a blocking sleep stops.
        msg_id = kc.execute("Console.WriteLine(\"sleeping\");\nSystem.Threading.Thread.Sleep(600_000);")
        wait_for_stream(kc, msg_id, "sleeping")
        kc.control_channel.send(kc.session.msg("interrupt_request", {}))
        reply, _ = collect(kc, msg_id, timeout=30)
        check("interrupt_request on control interrupts a sleeping cell", reply["status"] == "error" and reply["ename"] == "Interrupted", reply)
        reply, _ = run_cell(kc, "x")
        check("the kernel answers after a control interrupt", reply["status"] == "ok", reply)

        c = kc.complete("Console.WriteL", 14, reply=True, timeout=30)["content"]
        check("complete lists members after a dot", "WriteLine" in c["matches"] and c["cursor_start"] == 8, c)
        c = kc.complete("Mat", 3, reply=True, timeout=30)["content"]
        check("complete lists types in scope", "Math" in c["matches"], c["matches"][:20])
        i = kc.inspect("x", 1, reply=True, timeout=30)["content"]
        check("inspect describes a session variable", i["found"] and "int x" in i["data"]["text/plain"], i)
        r = shell_reply(kc, kc.is_complete("for (int i = 0; i < 3; i++) {"))
        check("is_complete says incomplete for an open block", r["status"] == "incomplete", r)
        r = shell_reply(kc, kc.is_complete("int k = 1;"))
        check("is_complete says complete for a statement", r["status"] == "complete", r)
        behaviour_checks(kc)
        forged_signature_checks(km)
        malformed_signed_checks(km, kc)

        reply, out = run_cell(kc, "int Down(int n) => Down(n + 1);\nDown(0)", timeout=120)
        check("infinite recursion fails the cell instead of overflowing the stack",
              reply["status"] == "error" and "recursion too deep" in reply["evalue"], reply)
        reply, _ = run_cell(kc, "x")
        check("the kernel keeps its state after runaway recursion", reply["status"] == "ok", reply)

        fault_checks(km, kc)

        before_restart = os.path.getsize(stderr_log.name)
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=120)
        with open(stderr_log.name, encoding="utf-8", errors="replace") as f:
            f.seek(before_restart)
            restart_log = f.read()
        check("a restart (shutdown_request after jupyter_client's interrupt) prints no SIGINT interrupt message",
              "SIGINT" not in restart_log, restart_log[-2000:])
        reply, _ = run_cell(kc, "x")
        check("restart gives a fresh session (earlier variables are gone)", reply["status"] == "error" and "CS0103" in reply["evalue"], reply)
        reply, out = run_cell(kc, "6 * 7")
        check("the restarted kernel runs cells", reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "42", out)

        before_shutdown = os.path.getsize(stderr_log.name)
        km.shutdown_kernel(now=False)
        check("shutdown_request ends the kernel process", not km.is_alive())
        with open(stderr_log.name, encoding="utf-8", errors="replace") as f:
            f.seek(before_shutdown)
            shutdown_log = f.read()
        check("shutdown prints no SIGINT interrupt message", "SIGINT" not in shutdown_log, shutdown_log[-2000:])
    finally:
        kc.stop_channels()
        stderr_log.close()
        os.unlink(stderr_log.name)
        if km.has_kernel and km.is_alive():
            km.shutdown_kernel(now=True)


def stream_text(outputs):
    return "".join(m["content"]["text"] for m in of_type(outputs, "stream"))


def behaviour_checks(kc):
    """Magics (both spellings), history, display handles with update_display_data, input_request, #r errors."""
    reply, out = run_cell(kc, "%%time\nvar timed = 1 + 1;")
    check("%%time times the cell (CPU and wall time)", reply["status"] == "ok" and "Wall time:" in stream_text(out)
          and "CPU times: user" in stream_text(out), out)
    reply, out = run_cell(kc, "#!time\nvar timedToo = 2;")
    check("#!time (the .NET Interactive spelling) times the cell", reply["status"] == "ok" and "Wall time:" in stream_text(out), out)
    reply, out = run_cell(kc, "%time 6 * 7")
    results = of_type(out, "execute_result")
    check("%time STATEMENT runs the statement, shows its value and the time",
          reply["status"] == "ok" and results and results[0]["content"]["data"]["text/plain"] == "42" and "Wall time:" in stream_text(out), out)
    reply, out = run_cell(kc, "%whos")
    whos = stream_text(out)
    check("%whos lists the session's variables with type and value",
          reply["status"] == "ok" and "Variable" in whos and any(l.split()[:3] == ["x", "int", "40"] for l in whos.splitlines()), whos)
    reply, out = run_cell(kc, "%lsmagic")
    check("%lsmagic lists the magics", reply["status"] == "ok" and "%whos" in stream_text(out) and "%%time" in stream_text(out), out)
    reply, _ = run_cell(kc, "%nosuchmagic")
    check("an unknown magic is a UsageError naming it", reply["status"] == "error" and reply["ename"] == "UsageError" and "%nosuchmagic" in reply["evalue"], reply)
    r = shell_reply(kc, kc.is_complete("%%time\nvar k = 1;"))
    check("is_complete understands magics", r["status"] == "complete", r)

    reply, out = run_cell(kc, "var h = display(\"step 1 of 2\");\nh.Update(\"step 2 of 2\");")
    shown = of_type(out, "display_data")
    updated = of_type(out, "update_display_data")
    check("display returns a handle: display_data carries a display_id in transient",
          reply["status"] == "ok" and shown and shown[0]["content"]["transient"].get("display_id"), out)
    check("Update sends update_display_data with the same display_id and the new content",
          updated and updated[0]["content"]["transient"]["display_id"] == shown[0]["content"]["transient"]["display_id"]
          and "step 2 of 2" in updated[0]["content"]["data"]["text/plain"], out)
    reply, out = run_cell(kc, "h.Update(\"done\");")
    updated = of_type(out, "update_display_data")
    check("a later cell updates the earlier display", updated and updated[0]["content"]["transient"]["display_id"]
          == shown[0]["content"]["transient"]["display_id"], out)

    reply, out = run_cell(kc, "var p = progress(\"loading\");\n((IProgress<string>)p).Report(\"step 1\");\n((IProgress<double>)p).Report(0.5);\np.Done();")
    shown = of_type(out, "display_data")
    updated = of_type(out, "update_display_data")
    check("progress() shows one line and updates it in place (update_display_data) until Done",
          reply["status"] == "ok" and len(shown) == 1 and len(updated) == 3
          and all(u["content"]["transient"]["display_id"] == shown[0]["content"]["transient"]["display_id"] for u in updated)
          and updated[-1]["content"]["data"]["text/plain"] == "loading: done (1 stage)", out)
    reply, out = run_cell(kc, "1 + 1")
    result = of_type(out, "execute_result")
    check("a trivial cell answers its value", reply["status"] == "ok" and result and result[0]["content"]["data"]["text/plain"] == "2", out)

    msg_id = kc.execute("Console.Write(\"name? \");\nvar answer = Console.ReadLine();\nConsole.WriteLine(\"got \" + answer);", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=60)
    check("Console.ReadLine sends an input_request on stdin under the execute request",
          request["msg_type"] == "input_request" and request["parent_header"]["msg_id"] == msg_id, request)
    kc.input("Ada")
    reply, out = collect(kc, msg_id)
    check("the input_reply's value is what ReadLine returns", reply["status"] == "ok" and "got Ada" in stream_text(out), out)
    msg_id = kc.execute("Console.ReadLine() is null", allow_stdin=False)
    reply, out = collect(kc, msg_id)
    check("without allow_stdin ReadLine returns null at once",
          reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "True", out)

    h = kc.history(hist_access_type="tail", n=3, reply=True, timeout=30)["content"]
    check("history_request tail returns the last inputs as [session, line, input]",
          h["status"] == "ok" and len(h["history"]) == 3 and h["history"][-1][2] == "Console.ReadLine() is null", h)
    h = kc.history(hist_access_type="range", session=0, start=1, stop=2, output=True, reply=True, timeout=30)["content"]
    check("history_request range with output gives [input, output]",
          h["history"] and h["history"][0][1] == 1 and h["history"][0][2][0].startswith("var x") and h["history"][0][2][1] == "42", h)
    h = kc.history(hist_access_type="search", pattern="%whos*", reply=True, timeout=30)["content"]
    check("history_request search matches a glob", [e[2] for e in h["history"]] == ["%whos"], h)

    reply, _ = run_cell(kc, "#r \"/no/such/folder/Lib.dll\"\n1")
    check("#r to a missing folder is a reference error naming the folder",
          reply["status"] == "error" and reply["ename"] == "ReferenceNotFound" and "/no/such/folder" in reply["evalue"]
          and "does not exist" in reply["evalue"], reply)


def pid_alive(pid):
    """True while pid runs (a zombie nobody reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def children_of(pid):
    """Pids whose parent is pid (any of its threads may have started them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return found


def parent_death_check():
    """Killing the client (SIGKILL: no shutdown_request) ends the kernel and its executor child within 5 seconds."""
    client = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, jupyter_client\n"
        f"km = jupyter_client.KernelManager(kernel_name={KERNEL!r})\n"
        "km.start_kernel()\n"
        "kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=120)\n"
        "print(km.provisioner.process.pid, flush=True)\n"
        "time.sleep(600)\n")], stdout=subprocess.PIPE, text=True)
    try:
        kernel_pid = int(client.stdout.readline().strip())
        executor_pids = []
        deadline = time.time() + 60
        while not executor_pids and time.time() < deadline:
            executor_pids = children_of(kernel_pid)
            time.sleep(0.2)
        check("the kernel runs with its executor child before the client dies", pid_alive(kernel_pid) and executor_pids, executor_pids)
        os.kill(client.pid, signal.SIGKILL)
        client.wait()
        killed = time.time()
        while time.time() - killed < 5 and (pid_alive(kernel_pid) or any(pid_alive(p) for p in executor_pids)):
            time.sleep(0.1)
        print(f"     the kernel and executor ended {time.time() - killed:.1f} s after the client was killed", flush=True)
        check("killing the client ends the kernel and its executor within 5 seconds",
              not pid_alive(kernel_pid) and not any(pid_alive(p) for p in executor_pids), f"kernel alive: {pid_alive(kernel_pid)}")
    finally:
        if client.poll() is None:
            client.kill()


def chart_profile_check(workbench):
    """A chart's static image is drawn by a headless Chromium with a profile folder in the temp dir; however the
    client ends the kernel (shutdown_request, which jupyter_client follows by signalling the kernel's process group,
    or an immediate kill of the group), the folder is gone within 10 seconds. The kernel gets a temp dir of its own
    (TMPDIR) so that the check sees only its folders."""
    chromium = os.environ.get("WORKBENCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("skip chart profile check: no chromium", flush=True)
        return
    plotly = os.path.join(os.path.dirname(os.path.abspath(workbench[-1])), "Plotly.NET.CSharp.dll")
    for now in (False, True):
        tmp = tempfile.mkdtemp(prefix="workbench-kernel-tmp-")
        try:
            km = jupyter_client.KernelManager(kernel_name=KERNEL)
            km.start_kernel(env={**os.environ, "TMPDIR": tmp})
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=120)
                reply, out = run_cell(kc, f'#r "{plotly}"\nPlotly.NET.CSharp.Chart.Point<int, int, string>(new[] {{ 1, 2, 3 }}, new[] {{ 3, 1, 2 }})', timeout=180)
                data = of_type(out, "execute_result")[0]["content"]["data"] if of_type(out, "execute_result") else {}
                check("a chart cell carries a PNG drawn by the headless browser", reply["status"] == "ok" and "image/png" in data, (reply, list(data)))
                profiles = [d for d in os.listdir(tmp) if d.startswith("workbench-chart-")]
                check("the browser's profile folder is in the kernel's temp dir while it runs", len(profiles) == 1, profiles)
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=now)
            ended = time.time()
            while time.time() - ended < 10 and any(d.startswith("workbench-chart-") for d in os.listdir(tmp)):
                time.sleep(0.2)
            left = [d for d in os.listdir(tmp) if d.startswith("workbench-chart-")]
            how = "an immediate kill of the kernel's process group" if now else "a shutdown_request"
            check(f"after {how} the browser's profile folder is removed", not left, left)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def wait_for_iopub(kc, predicate, timeout=60):
    """Reads iopub until a message satisfies predicate; returns it (None on timeout)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            return None
        if predicate(msg):
            return msg
    return None


def fault_checks(km, kc):
    """Faults no .NET process survives (a stack overflow, an exception on a thread a cell started, FailFast) end the
    executor child, never the kernel: the cell gets a SessionLost error saying the state was lost, the next cell runs."""
    reply, _ = run_cell(kc, "var kept = 1;")
    reply, out = run_cell(kc, "var t = new System.Threading.Thread(() => throw new InvalidOperationException(\"bg boom\"));\nt.Start();\nt.Join();", timeout=120)
    check("an exception on a cell's background thread fails that cell with SessionLost, naming the exception",
          reply["status"] == "error" and reply["ename"] == "SessionLost" and "InvalidOperationException" in reply["evalue"]
          and "bg boom" in reply["evalue"] and "state" in reply["evalue"] and "was lost" in reply["evalue"], reply)
    check("the kernel process is alive after a background-thread exception", km.is_alive())
    check("the error is also published on iopub", any(m["content"]["ename"] == "SessionLost" for m in of_type(out, "error")), out)
    reply, out = run_cell(kc, "6 * 7", timeout=120)
    check("the next cell runs after a background-thread exception",
          reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "42", out)
    reply, _ = run_cell(kc, "kept")
    check("the lost session's variables are gone (fresh session)", reply["status"] == "error" and "CS0103" in reply["evalue"], reply)

    reply, _ = run_cell(kc, "Func<int, int> f = null!;\nf = n => f(n + 1) + 1;\nf(0)", timeout=180)
    check("a stack overflow fails the cell with a message saying the state was lost",
          reply["status"] == "error" and reply["ename"] == "SessionLost" and "stack overflow" in reply["evalue"] and "was lost" in reply["evalue"], reply)
    check("the kernel process is alive after a stack overflow", km.is_alive())
    reply, out = run_cell(kc, "var y = 5;\ny + 1", timeout=120)
    check("cells run after a stack overflow",
          reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "6", out)

    reply, _ = run_cell(kc, "Environment.FailFast(\"ff\");", timeout=120)
    check("Environment.FailFast fails the cell with SessionLost, the kernel lives",
          reply["status"] == "error" and reply["ename"] == "SessionLost" and km.is_alive(), reply)

    # A thread that throws after its cell finished: the cell succeeded; the loss is told on iopub under it.
    msg_id = kc.execute("new System.Threading.Thread(() => { System.Threading.Thread.Sleep(300); throw new InvalidOperationException(\"late boom\"); }).Start();")
    reply, _ = collect(kc, msg_id, timeout=60)
    check("a cell whose thread throws later completes", reply["status"] == "ok", reply)
    notice = wait_for_iopub(kc, lambda m: m["msg_type"] == "stream" and "late boom" in m["content"]["text"])
    check("the later loss is published on iopub under the cell that started the thread",
          notice is not None and notice["parent_header"].get("msg_id") == msg_id and "session was lost" in notice["content"]["text"], notice)
    reply, out = run_cell(kc, "2 + 2", timeout=120)
    check("the next cell runs in a fresh session after a late loss",
          reply["status"] == "ok" and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "4", out)
    reply, _ = run_cell(kc, "int Down(int n) => Down(n + 1);\nDown(0)", timeout=120)
    check("runaway recursion in a declared function is still a cell error (no process lost)",
          reply["status"] == "error" and "recursion too deep" in reply["evalue"], reply)


def shell_reply(kc, msg_id, timeout=30):
    deadline = time.time() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def forged_signature_checks(km):
    """A raw DEALER socket on the shell port: wrong key, no signature -> silence; right key -> a reply."""
    info = km.get_connection_info(session=False)
    ctx = zmq.Context.instance()

    def ask(session, wait, port="shell_port"):
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://{info['ip']}:{info[port]}")
        try:
            msg = session.msg("kernel_info_request", {})
            session.send(sock, msg)
            if sock.poll(int(wait * 1000)):
                return session.recv(sock, mode=0, content=False)
            return None
        finally:
            sock.close()

    right = Session(key=info["key"], signature_scheme=info["signature_scheme"])
    forged = Session(key=b"not-the-key", signature_scheme=info["signature_scheme"])
    unsigned = Session(key=b"")
    check("a message with a forged signature gets no answer", ask(forged, 3) is None)
    check("an unsigned message gets no answer", ask(unsigned, 3) is None)
    answered = ask(right, 30)
    check("the same request correctly signed is answered (the raw path works)", answered is not None, answered)
    on_control = ask(right, 30, "control_port")
    check("kernel_info answers on control", on_control is not None and on_control[1]["header"]["msg_type"] == "kernel_info_reply", on_control)
    check("a forged message on control gets no answer", ask(forged, 3, "control_port") is None)


def malformed_signed_checks(km, kc):
    """Correctly signed but malformed messages: ignored or answered with an error, never a dead kernel; a replayed
    execute_request (same msg_id, same session) runs once."""
    import hashlib
    import hmac
    import uuid
    info = km.get_connection_info(session=False)
    key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
    ctx = zmq.Context.instance()

    def send_raw(parts, port="shell_port", wait=3):
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://{info['ip']}:{info[port]}")
        try:
            sig = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
            sock.send_multipart([b"<IDS|MSG>", sig] + parts)
            if sock.poll(int(wait * 1000)):
                return sock.recv_multipart()
            return None
        finally:
            sock.close()

    def header(msg_type, msg_id=None):
        return json.dumps({"msg_id": msg_id or uuid.uuid4().hex, "session": "raw-session", "username": "t",
                           "date": "2026-01-01T00:00:00Z", "msg_type": msg_type, "version": "5.3"}).encode()

    numeric = json.dumps({"msg_id": uuid.uuid4().hex, "session": "raw-session", "msg_type": 42, "version": "5.3"}).encode()
    send_raw([numeric, b"{}", b"{}", b"{}"])
    send_raw([numeric, b"{}", b"{}", b"{}"], "control_port")
    send_raw([b'{"msg_type": "kernel_info_request", "msg_id": "\xff\xfe"}', b"{}", b"{}", b"{}"])
    answer = send_raw([header("shutdown_request"), b"{}", b"{}", b'{"restart": "yes"}'], "control_port", 10)
    check("a shutdown_request with restart 'yes' is answered with an error, not obeyed",
          answer is not None and b'"status":"error"' in answer[-1], answer)
    send_raw([header("execute_request"), b"{}", b"{}", b'{"code": 5, "silent": "no"}'], wait=10)
    reply = kc.kernel_info(reply=True, timeout=30)["content"]
    check("the kernel survives signed messages with a numeric msg_type, invalid UTF-8 and wrongly typed fields",
          km.is_alive() and reply["status"] == "ok", reply)

    run_cell(kc, "int replays = 0;")
    same = uuid.uuid4().hex
    parts = [header("execute_request", same), b"{}", b"{}", json.dumps({"code": "replays++;", "silent": False}).encode()]
    first = send_raw(parts, wait=60)
    second = send_raw(parts, wait=5)
    reply, out = run_cell(kc, "replays")
    check("a replayed execute_request (same msg_id and session) runs once",
          first is not None and second is None and of_type(out, "execute_result")[0]["content"]["data"]["text/plain"] == "1", out)


def nbconvert_check(prefix):
    out_dir = os.path.join(prefix, "out")
    os.makedirs(out_dir)
    nbconvert = shutil.which("jupyter-nbconvert") or "/usr/bin/jupyter-nbconvert"
    result = subprocess.run([nbconvert, "--to", "notebook", "--execute", os.path.join(HERE, "smoke.ipynb"),
                             "--output-dir", out_dir, "--ExecutePreprocessor.kernel_name=" + KERNEL,
                             "--ExecutePreprocessor.timeout=120"], capture_output=True, text=True)
    check("jupyter nbconvert --execute runs the notebook through the kernel", result.returncode == 0, result.stderr[-3000:])
    executed = nbformat.read(os.path.join(out_dir, "smoke.ipynb"), as_version=4)
    outputs = executed.cells[2].outputs
    texts = [o.get("text", "") for o in outputs if o.output_type == "stream"]
    results = [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"]
    check("nbconvert captured the stream and the result", texts and texts[0].startswith("base: ") and results == ["84"], outputs)
    nbformat.validate(executed)
    check("the executed notebook is valid nbformat", True)


def writer_matches_nbformat(workbench, prefix):
    """The headless runner's output, re-saved by nbformat, must be the same bytes (sorted keys, 1-space indent)."""
    out_dir = os.path.join(prefix, "runner-out")
    subprocess.run(workbench + ["notebooks", "run", os.path.join(HERE, "smoke.ipynb"), "--out", out_dir, "--param", "seed=7"], check=True)
    path = os.path.join(out_dir, "smoke.ipynb")
    with open(path, encoding="utf-8") as f:
        ours = f.read()
    nb = nbformat.reads(ours, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    check("the runner's notebook is valid nbformat 4.5", nb.nbformat == 4 and nb.nbformat_minor == 5)
    theirs = nbformat.writes(nb) + "\n"
    check("workbench's ipynb writer matches nbformat byte for byte", ours == theirs, "".join(
        f"{a!r} != {b!r}\n" for a, b in zip(ours.splitlines(), theirs.splitlines()) if a != b)[:2000])
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    check("the runner injected the parameter cell", len(injected) == 1 and "int seed = 7;" in injected[0].source, injected)


if __name__ == "__main__":
    main()
