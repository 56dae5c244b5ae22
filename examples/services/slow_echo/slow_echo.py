# -*- coding: utf-8 -*-
"""slow_echo: a Terminus *test* service (galactica-terminus 0.7 contract).

run(data_path, data_ref, test=False, seconds=0, fail=None, exit_code=None, print_kb=0, **kwargs),
called with cwd = the job dir (out/ exists). In this order it

1. appends one line "<job dir name> <pid> <start time, UTC ISO 8601>" to out/runs.log and, if the
   environment variable TERMINUS_TEST_TRACE is set, to the file it names (so a test can prove
   that a job ran exactly once); each line is a single O_APPEND write;
2. prints print_kb KiB to stdout (and kwargs 'stderr_kb' KiB to stderr), flushing, to prove that a
   chatty service cannot hang the daemon;
3. sleeps `seconds` (float allowed); with kwargs 'until_file', only until that file exists (at most `seconds`),
   so that a test decides when the service ends instead of guessing how long a step of its own takes;
4. writes out/echo.json with its arguments (and pid, cwd, timings), and with kwargs 'out_mb' that many MiB of
   random (incompressible) bytes to out/random.bin, so that packaging and uploading take a while;
5. raises RuntimeError(fail) if `fail` is given (not None), then calls sys.exit(exit_code) if
   `exit_code` is given (0.7's job.py does not catch SystemExit).

Compatible with Python 2.7 and 3.x.
"""
from __future__ import division, print_function

import json
import os
import sys
import time

OUT_DIR = "out"

try:
    string_types = (str, unicode)  # noqa: F821 (Python 2)
except NameError:
    string_types = (str,)


def _utc_iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + (".%06dZ" % int((t % 1) * 1e6))


def _append_line(path, line):
    data = (line + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _number(name, value):
    if isinstance(value, bool):
        raise ValueError("parameter '%s' must be a number, got %r" % (name, value))
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError("parameter '%s' must be a number, got %r" % (name, value))
    if value != value or value < 0 or value == float("inf"):
        raise ValueError("parameter '%s' must be a finite number >= 0, got %r" % (name, value))
    return value


def _spew(stream, kib, tag):
    # 16 lines of 64 bytes (63 chars + newline) per KiB
    line = (tag + " " + "x" * 63)[:63] + "\n"
    for i in range(int(kib * 16)):
        stream.write(line)
        if i % 256 == 255:
            stream.flush()
    stream.flush()


def run(data_path, data_ref, test=False, seconds=0, fail=None, exit_code=None, print_kb=0, **kwargs):
    t0 = time.time()
    start = _utc_iso(t0)
    pid = os.getpid()
    job_dir = os.path.basename(os.getcwd())
    delay = _number("seconds", seconds)
    stdout_kib = _number("print_kb", print_kb)
    stderr_kib = _number("stderr_kb", kwargs.get("stderr_kb", 0))
    if exit_code is not None and (isinstance(exit_code, bool) or not isinstance(exit_code, int)):
        raise ValueError("parameter 'exit_code' must be an integer, got %r" % (exit_code,))

    if not os.path.isdir(OUT_DIR):
        os.makedirs(OUT_DIR)
    line = "%s %d %s" % (job_dir, pid, start)
    _append_line(os.path.join(OUT_DIR, "runs.log"), line)
    trace = os.environ.get("TERMINUS_TEST_TRACE")
    if trace:
        _append_line(trace, line)

    print("slow_echo: job %s pid %d started %s (data_ref=%r, test=%r)" % (job_dir, pid, start, data_ref, test))
    sys.stdout.flush()
    if stdout_kib:
        _spew(sys.stdout, stdout_kib, "stdout")
    if stderr_kib:
        _spew(sys.stderr, stderr_kib, "stderr")
    until_file = kwargs.get("until_file")
    if until_file:
        deadline = time.time() + delay
        while not os.path.exists(until_file) and time.time() < deadline:
            time.sleep(0.05)
    elif delay:
        time.sleep(delay)

    snapshot = data_ref.split(";", 1)[0] if hasattr(data_ref, "split") else data_ref
    echo = {
        "service": "slow_echo",
        "data_path": data_path,
        "data_ref": data_ref,
        "data_path_exists": os.path.isdir(data_path),
        "snapshot_exists": bool(snapshot) and os.path.isdir(os.path.join(data_path, str(snapshot))),
        "test": test,
        "seconds": seconds,
        "fail": fail,
        "exit_code": exit_code,
        "print_kb": print_kb,
        "kwargs": kwargs,
        "pid": pid,
        "job_dir": job_dir,
        "started": start,
        "finished": _utc_iso(time.time()),
        "elapsed_seconds": round(time.time() - t0, 3),
        "python": sys.version.split()[0],
    }
    out_mib = int(_number("out_mb", kwargs.get("out_mb", 0)))
    if out_mib:
        with open(os.path.join(OUT_DIR, "random.bin"), "wb") as fh:
            for _ in range(out_mib):
                fh.write(os.urandom(1024 * 1024))
    with open(os.path.join(OUT_DIR, "echo.json"), "w") as fh:
        json.dump(echo, fh, indent=2, sort_keys=True, separators=(",", ": "))
        fh.write("\n")

    if fail is not None:
        raise RuntimeError(fail if isinstance(fail, string_types) else str(fail))
    if exit_code is not None:
        print("slow_echo: sys.exit(%d)" % exit_code)
        sys.stdout.flush()
        sys.exit(exit_code)
    print("slow_echo: done in %.3f s" % (time.time() - t0))
    return echo
