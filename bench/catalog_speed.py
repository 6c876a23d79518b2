#!/usr/bin/python3
"""How long wscheck takes over each part of the case catalog, against two servers.

Targets (--targets, comma-separated; default both):
  websockets  Python websockets with permessage-deflate on: tests/peers/python_autobahn_server.py
              run by Debian's /usr/bin/python3 (python3-websockets) with WSCHECK_PEER_DEFLATE=1.
  embedded    the reference server as a process of its own, set up as `wscheck test --deflate`
              sets up its embedded server (harness/cli/cmd_test.cpp): `wscheck serve --deflate
              --threads 2 --deflate-compress-limit 2048 --port 0`.

Groups (--groups, comma-separated names; default all of them, in this order):
  1-7,10     -c 1,2,3,4,5,6,7,10      framing, pings, reserved bits and opcodes,
                                      fragmentation, UTF-8, closing, misc
  9          -c 9                     limits and performance (serial, timed)
  12.1+13.1  -c 12.1,13.1             one section of each compression family
  12         -c 12                    compression, 1000 messages per case
  13         -c 13                    compression parameters, 1000 messages per case
  20-22      -c 20,21,22              handshake, resource abuse, deflate rules
  all        (no -c)                  the whole catalog
--cases SELECTION runs one more group, `custom`, with that selection (alone when --groups is
not given).

For each target the script starts the server, then runs each group as its own child process,
one after another: `wscheck test URL -a TARGET -q -c SELECTION -o DIR [-j N]`. Per target and
group it reports the cases, the wall time, wscheck's CPU time (user + system, from os.wait4's
rusage) and peak memory (ru_maxrss, or the VmHWM polled in /proc while it ran where ru_maxrss
cannot tell: see run_wscheck), the server's CPU time during the group (the utime + stime delta
in /proc/PID/stat), wscheck's exit status, and the verdict counts from the JSON report the run
wrote (DIR/TARGET.wscheck.json, docs/report-schema.md). A server that died during a group is
reported on that group's row and started again for the next. Every wait has a timeout
(--group-timeout for a group), and the servers are stopped at the end, on errors and on
Ctrl-C too.

Output: a Markdown table per target on stdout; --json FILE writes every figure as JSON;
--keep DIR keeps the reports (DIR/TARGET/GROUP/), otherwise they go to a temporary directory
that is removed.

Usage:
  /usr/bin/python3 bench/catalog_speed.py [--wscheck PATH] [--targets websockets,embedded]
      [--groups 1-7,10,9] [--cases SELECTION] [--jobs N] [--group-timeout SECONDS]
      [--json FILE] [--keep DIR]

Standard library only. See docs/benchmarks.md ("Catalog speed").
"""
import argparse
import json
import os
import platform
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Debian's interpreter: it has python3-websockets (a pyenv python on PATH may not).
PEER_PYTHON = "/usr/bin/python3"
PEER_SCRIPT = os.path.join(ROOT, "tests", "peers", "python_autobahn_server.py")

GROUPS = [  # (name, selection; None: the whole catalog)
    ("1-7,10", "1,2,3,4,5,6,7,10"),
    ("9", "9"),
    ("12.1+13.1", "12.1,13.1"),
    ("12", "12"),
    ("13", "13"),
    ("20-22", "20,21,22"),
    ("all", None),
]
TARGETS = ("websockets", "embedded")
BEHAVIORS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
CLOSE_FAILURES = ("FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT")

SERVER_START_TIMEOUT = 15.0
SERVER_STOP_TIMEOUT = 10.0
REPORT_PARSE_TIMEOUT = 300.0
POLL_S = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A problem that ends the run with a message (not a traceback)."""


# ---------------------------------------------------------------- arguments

def parse_groups(text, custom):
    """The groups named in `text`. Names may themselves hold a comma ("1-7,10"), so the
    comma-separated words are matched greedily against the known names."""
    known = dict(GROUPS)
    words = [w.strip() for w in text.split(",") if w.strip()]
    chosen = []
    i = 0
    while i < len(words):
        for n in range(len(words) - i, 0, -1):
            name = ",".join(words[i:i + n])
            if name in known:
                chosen.append((name, known[name]))
                i += n
                break
        else:
            raise BenchError("unknown group '%s' (known: %s)" % (words[i], ", ".join(n for n, _ in GROUPS)))
    if custom:
        chosen.append(("custom", custom))
    return chosen


def parse_args(argv):
    p = argparse.ArgumentParser(description="Time wscheck over parts of the catalog against two servers.",
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--wscheck", default=os.path.join(ROOT, "build", "harness", "cli", "wscheck"),
                   help="the wscheck binary (default: build/harness/cli/wscheck)")
    p.add_argument("--targets", default=",".join(TARGETS), help="websockets,embedded (default: both)")
    p.add_argument("--groups", default=None, help="comma-separated group names (default: all)")
    p.add_argument("--cases", default=None, help="one more group, 'custom', with this selection")
    p.add_argument("--jobs", type=int, default=None, help="passed to wscheck as -j")
    p.add_argument("--group-timeout", type=float, default=3600.0,
                   help="seconds a group may take before wscheck is killed (default: 3600)")
    p.add_argument("--json", default=None, help="also write every figure to this JSON file")
    p.add_argument("--keep", default=None, help="keep the reports in this directory")
    args = p.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    for t in targets:
        if t not in TARGETS:
            p.error("unknown target '%s' (websockets, embedded)" % t)
    if not targets:
        p.error("--targets names no target")
    if args.groups is None and args.cases:
        groups_text = ""
    else:
        groups_text = args.groups if args.groups is not None else ",".join(n for n, _ in GROUPS)
    try:
        groups = parse_groups(groups_text, args.cases)
    except BenchError as e:
        p.error(str(e))
    if not groups:
        p.error("--groups names no group")
    if args.jobs is not None and args.jobs < 1:
        p.error("--jobs must be at least 1")
    if not (os.path.isfile(args.wscheck) and os.access(args.wscheck, os.X_OK)):
        p.error("no wscheck binary at %s (build it, or give --wscheck)" % args.wscheck)
    return args, targets, groups


# ---------------------------------------------------------------- processes

def process_cpu_seconds(pid):
    """utime + stime of a live process (all its threads), or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of proc(5)


def read_first_line(proc, timeout):
    """The first stdout line of `proc`, waiting at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise BenchError("no first line within %.0f s" % timeout)
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 1)
            if not chunk:
                raise BenchError("the process exited (status %s) before its first line" % proc.poll())
            line += chunk
    return line.decode("utf-8", "replace").strip()


def stop_process(proc):
    """SIGTERM, then SIGKILL if it has not exited within SERVER_STOP_TIMEOUT."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=SERVER_STOP_TIMEOUT)


class Server:
    """One target's server process, started on a free port."""

    def __init__(self, target, wscheck, log_dir):
        self.target = target
        self.wscheck = wscheck
        self.log_path = os.path.join(log_dir, "%s-server.log" % target)
        self.proc = None
        self.url = None
        self.starts = 0

    def start(self):
        if self.target == "websockets":
            command = [PEER_PYTHON, PEER_SCRIPT]
            env = dict(os.environ, WSCHECK_PEER_DEFLATE="1")
        else:
            # As the embedded target of `wscheck test --deflate` (cmd_test.cpp): its own threads,
            # and 2 KiB of each echo compressed.
            command = [self.wscheck, "serve", "--deflate", "--threads", "2", "--deflate-compress-limit", "2048",
                       "--port", "0"]
            env = None
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                         env=env, cwd=ROOT)
        finally:
            log.close()
        self.starts += 1
        try:
            first = read_first_line(self.proc, SERVER_START_TIMEOUT)
        except BenchError as e:
            self.stop()
            with open(self.log_path, "rb") as log:
                tail = log.read()[-500:].decode("utf-8", "replace").strip()
            said = "; its stderr: " + tail if tail else ""
            raise BenchError("%s server did not start: %s%s" % (self.target, e, said))
        # websockets prints its port, wscheck serve its URL.
        self.url = first if first.startswith("ws://") else "ws://127.0.0.1:%s/" % first

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_status(self):
        return None if self.proc is None else self.proc.poll()

    def cpu_seconds(self):
        return process_cpu_seconds(self.proc.pid) if self.alive() else None

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
            self.proc.stdout.close()
            self.proc = None


def vm_hwm_kib(pid):
    """The peak resident set of a live process's memory image (VmHWM), in KiB; None when gone."""
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_wscheck(command, timeout):
    """Runs wscheck as a child. Returns (exit status or None on timeout, wall s, rusage, peak
    memory in KiB or None, stderr tail).

    The peak: Python starts children with vfork, so the child's ru_maxrss also counts this
    script's own high-water mark from before the exec. When ru_maxrss is above that mark it is
    wscheck's; otherwise the highest VmHWM read while wscheck ran (every POLL_S) stands in."""
    own_peak = vm_hwm_kib("self") or 0
    polled_peak = 0
    started = time.monotonic()
    with open(os.devnull, "wb") as quiet:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=quiet, stderr=subprocess.PIPE)
    stderr_tail = b""
    try:
        # Poll wait4 (WNOHANG) so the timeout holds, and drain stderr meanwhile so a chatty
        # child cannot block on a full pipe.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() - started > timeout:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                return None, time.monotonic() - started, usage, polled_peak or None, stderr_tail
            ready, _, _ = select.select([proc.stderr], [], [], POLL_S)
            if ready:
                stderr_tail = (stderr_tail + os.read(proc.stderr.fileno(), 65536))[-4096:]
            # Not at once: just after the spawn the child may not have exec'd wscheck yet.
            polled_peak = max(polled_peak, vm_hwm_kib(proc.pid) or 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr_tail = (stderr_tail + proc.stderr.read())[-4096:]
        # None: too quick to be read, and no bigger than this script.
        peak = usage.ru_maxrss if usage.ru_maxrss > own_peak else (polled_peak or None)
        return proc.returncode, wall, usage, peak, stderr_tail
    finally:
        if proc.returncode is None:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
        proc.stderr.close()


# ---------------------------------------------------------------- one group

# Run in a child interpreter: a whole-catalog report is large, and parsing it here would raise
# this script's own memory high-water mark, which vfork'ed children inherit (see run_wscheck).
COUNT_VERDICTS = r"""
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    report = json.load(f)
behavior, close = {}, {}
for case in report["cases"]:
    behavior[case["behavior"]] = behavior.get(case["behavior"], 0) + 1
    close[case["close_behavior"]] = close.get(case["close_behavior"], 0) + 1
json.dump({"cases": len(report["cases"]), "behavior": behavior, "close_behavior": close,
           "interrupted": bool(report.get("interrupted")), "notes": report.get("notes", [])}, sys.stdout)
"""


def verdict_counts(report_path):
    """Verdict counts of a wscheck JSON report (docs/report-schema.md), or None without one."""
    if not os.path.isfile(report_path):
        return None
    try:
        done = subprocess.run([sys.executable, "-c", COUNT_VERDICTS, report_path], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=REPORT_PARSE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return None
    counts = json.loads(done.stdout)
    counts["close_failed"] = sum(counts["close_behavior"].get(c, 0) for c in CLOSE_FAILURES)
    return counts


def run_group(server, group, selection, args, out_dir):
    row = {"group": group, "selection": selection}
    if not server.alive():
        row["server_restarted"] = server.exit_status()
        server.start()
    row["url"] = server.url
    command = [args.wscheck, "test", server.url, "-a", server.target, "-q", "-o", out_dir]
    if selection is not None:
        command += ["-c", selection]
    if args.jobs is not None:
        command += ["-j", str(args.jobs)]
    server_cpu_before = server.cpu_seconds()
    status, wall, usage, peak_kib, stderr_tail = run_wscheck(command, args.group_timeout)
    server_cpu_after = server.cpu_seconds()
    row.update({
        "command": command,
        "exit_status": status,
        "timed_out": status is None,
        "wall_s": round(wall, 3),
        "wscheck_user_s": round(usage.ru_utime, 3),
        "wscheck_sys_s": round(usage.ru_stime, 3),
        "wscheck_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "wscheck_peak_kib": peak_kib,
        "server_cpu_s": (round(server_cpu_after - server_cpu_before, 3)
                         if server_cpu_before is not None and server_cpu_after is not None else None),
        "server_died": not server.alive(),
    })
    if row["server_died"]:
        row["server_exit_status"] = server.exit_status()
    report = verdict_counts(os.path.join(out_dir, "%s.wscheck.json" % server.target))
    row["report"] = report
    if report is None or status not in (0, 1):
        row["stderr_tail"] = stderr_tail.decode("utf-8", "replace").strip()
    return row


# ---------------------------------------------------------------- output

def fmt(value, digits=2):
    return "-" if value is None else "%.*f" % (digits, value)


def remark(row):
    notes = []
    if row["timed_out"]:
        notes.append("killed after --group-timeout")
    elif row["exit_status"] not in (0, 1):
        notes.append("wscheck exit %s: %s" % (row["exit_status"], row.get("stderr_tail", "")[-200:]))
    if "server_restarted" in row:
        notes.append("server restarted at %s (it had exited with %s)" % (row["url"], row["server_restarted"]))
    if row["server_died"]:
        notes.append("server died during the group (exit %s)" % row.get("server_exit_status"))
    report = row["report"]
    if report is None:
        notes.append("no report")
    else:
        if report["interrupted"]:
            notes.append("report interrupted")
        notes.extend(report["notes"])
    return "; ".join(notes).replace("|", "\\|").replace("\n", " ")


def markdown_table(target, rows):
    lines = ["### %s (%s)" % (target, rows[0]["url"]), "",
             "| group | cases | wall s | wscheck CPU s | wscheck peak MiB | server CPU s | "
             + " | ".join(BEHAVIORS) + " | close failed | exit | remarks |",
             "|---|" + "---:|" * (7 + len(BEHAVIORS)) + "---|"]
    for row in rows:
        report = row["report"]
        peak = row["wscheck_peak_kib"]
        cells = [row["group"], "-" if report is None else str(report["cases"]), fmt(row["wall_s"]),
                 fmt(row["wscheck_cpu_s"]), fmt(None if peak is None else peak / 1024), fmt(row["server_cpu_s"])]
        cells += ["-" if report is None else str(report["behavior"].get(b, 0)) for b in BEHAVIORS]
        cells += ["-" if report is None else str(report["close_failed"]),
                  "timeout" if row["timed_out"] else str(row["exit_status"]), remark(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe_machine():
    load = os.getloadavg()
    return {"host": platform.node(), "cpus": os.cpu_count(), "kernel": platform.release(),
            "load_average": [round(x, 2) for x in load]}


# ---------------------------------------------------------------- main

def terminate_on_sigterm():
    """SIGTERM ends the script as Ctrl-C does, so the `finally` blocks stop the servers."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def main(argv):
    args, targets, groups = parse_args(argv)
    terminate_on_sigterm()
    work = args.keep or tempfile.mkdtemp(prefix="wscheck-catalog-speed-")
    os.makedirs(work, exist_ok=True)
    results = {"wscheck": os.path.abspath(args.wscheck), "jobs": args.jobs,
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine_at_start": describe_machine(), "targets": {}}
    servers = []
    status = 0
    try:
        for target in targets:
            server = Server(target, args.wscheck, work)
            servers.append(server)
            server.start()
            rows = []
            results["targets"][target] = {"url": server.url, "groups": rows}
            for name, selection in groups:
                slug = name.replace(",", "_").replace("+", "_")
                out_dir = os.path.join(work, target, slug)
                os.makedirs(out_dir, exist_ok=True)
                print("%s: group %s ..." % (target, name), file=sys.stderr, end=" ", flush=True)
                rows.append(run_group(server, name, selection, args, out_dir))
                print("%s s, exit %s" % (fmt(rows[-1]["wall_s"]), rows[-1]["exit_status"]), file=sys.stderr, flush=True)
            results["targets"][target]["server_starts"] = server.starts
            server.stop()
            print(markdown_table(target, rows) + "\n", flush=True)
    except KeyboardInterrupt:
        print("catalog_speed: interrupted; servers stopped", file=sys.stderr)
        status = 130
    except BenchError as e:
        print("catalog_speed: %s" % e, file=sys.stderr)
        status = 2
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    # Written when stopped early too: the groups that ran are in it.
    results["machine_at_end"] = describe_machine()
    results["complete"] = status == 0
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    if status == 0:
        load = results["machine_at_start"]["load_average"], results["machine_at_end"]["load_average"]
        print("Load average (1, 5, 15 min) at the start %s, at the end %s; %s CPUs." % (
            load[0], load[1], results["machine_at_start"]["cpus"]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
