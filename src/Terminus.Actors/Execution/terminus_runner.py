# -*- coding: utf-8 -*-
"""terminus_runner: runs one Terminus job's service, for Terminus.Actors (local and SLURM jobs alike).

    <python> terminus_runner.py terminus_request.json          (cwd = the job directory)

This file is fixed: the daemon copies it into each job directory and never generates code from a
request. Everything about the job comes from terminus_request.json, written by the daemon:

    {"format": 1, "job_id": 123, "job_name": "123_density_map", "host": "<TERMINUS_HOSTNAME>",
     "service": {"name": "density_map", "type": "python" | "bash", "script": "/abs/<svc>.py|.sh",
                 "interpreter": "/abs/interpreter"},
     "data_path": "/abs/simulation/dir", "portal_data_path": "CAT/PROJ/SIMU",
     "data_ref": "output_00003", "params": {...}, "test": false}

It works under Python 2.7 and 3.x (a service's interpreter may be either). What it writes, all in the
job directory (cwd):

    terminus_runner.json   first thing: {"pid", "pgid", "start_ticks", "hostname", "started"}, so the
                           daemon can recognise this process later (pid + start time, not pid alone)
    terminus_status.jsonl  one JSON object per line, appended: {"status", "message", "time", "pid"},
                           status in running | completed | failed | timed out (0.7's job_status values)
    terminus_exit.json     last thing, atomically: {"status", "message", "exit_code", "signal",
                           "started", "finished"}; absent only if this process itself was SIGKILLed
    out/job.log            the job's log, shipped to the user (no server paths in it)
    out/processing_config.json   as 0.7 writes it, with the portal-side data path

The service runs in a forked child, so a service that crashes hard (killed by the OOM killer, a
segfault, os._exit) still gets an exit record from the parent. SIGTERM (the daemon's time limit, or
SLURM's before its own) is reported as "timed out", as 0.7's wrapper did.

Containment: the runner is the child subreaper of everything the service starts, so a process that
detaches (setsid, double fork, nohup) stays in its tree. SIGTERM is passed to the whole tree; once
the service process has ended, whatever it left running gets SIGTERM, then SIGKILL after
"kill_grace_s" (from the request), before the exit record is written.

Python services: run(data_path, data_ref, test=<bool>, **params), imported from their file whatever
the directory name ("my-service", "3d_cube"). An exception -> failed with its message;
sys.exit(0) -> completed; sys.exit(n) -> failed.
Bash services: <interpreter> <svc>.sh <data_path> <data_ref>, with TERMINUS_DATA_PATH, TERMINUS_DATA_REF,
TERMINUS_TEST (1/0), TERMINUS_PARAMS_FILE (a JSON object), TERMINUS_JOB_ID, TERMINUS_JOB_NAME in the
environment. Exit code 0 -> completed, else failed with the last line the script wrote to stderr.
"""
from __future__ import absolute_import, division, print_function

import errno
import io
import json
import os
import re
import signal
import sys
import time

REQUEST_FORMAT = 1
RUNNER_FILE = "terminus_runner.json"
STATUS_FILE = "terminus_status.jsonl"
EXIT_FILE = "terminus_exit.json"
PARAMS_FILE = "terminus_params.json"
OUT_DIR = "out"
MAX_MESSAGE = 2000

PY2 = sys.version_info[0] == 2
if PY2:
    text_type = unicode  # noqa: F821 (Python 2)
else:
    text_type = str


# ------------------------------------------------------------------------------------------ files
def utc_now():
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def dump_json(obj, indent=None):
    """ASCII JSON text (bytes-safe on both Pythons)."""
    text = json.dumps(obj, indent=indent, sort_keys=True, ensure_ascii=True, separators=(",", ": ") if indent else None)
    return text if isinstance(text, str) else text.encode("ascii")


def write_atomic(path, obj):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = (dump_json(obj, indent=2) + "\n").encode("ascii")
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def append_event(status, message):
    """One line, one write() on an O_APPEND descriptor: readers never see half an event."""
    line = dump_json({"status": status, "message": message, "time": utc_now(), "pid": os.getpid()}) + "\n"
    fd = os.open(STATUS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("ascii"))
    finally:
        os.close(fd)


def read_events():
    try:
        with io.open(STATUS_FILE, "r", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (IOError, OSError):
        return []
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return events


def start_ticks(pid):
    """Field 22 of /proc/<pid>/stat: the process start time, which tells a pid's reuse apart."""
    try:
        with io.open("/proc/%d/stat" % pid, "r", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (IOError, OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------------------------------------ request
class RequestError(Exception):
    pass


def native(value):
    """Python 2: unicode -> str, recursively, as 0.7's generated job.py gave the service byte strings."""
    if not PY2:
        return value
    if isinstance(value, text_type):
        return value.encode("utf-8")
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, dict):
        return dict((native(k), native(v)) for k, v in value.items())
    return value


def load_request(path):
    try:
        with io.open(path, "r", encoding="utf-8") as fh:
            req = json.load(fh)
    except (IOError, OSError, ValueError) as exc:
        raise RequestError("cannot read the job request '%s': %s" % (path, exc))
    if not isinstance(req, dict) or req.get("format") != REQUEST_FORMAT:
        raise RequestError("the job request is not in format %d" % REQUEST_FORMAT)
    service = req.get("service")
    if not isinstance(service, dict) or service.get("type") not in ("python", "bash"):
        raise RequestError("the job request has no valid 'service'")
    for key in ("name", "script", "interpreter"):
        if not isinstance(service.get(key), text_type) or not service.get(key):
            raise RequestError("the job request has no service '%s'" % key)
    for key in ("job_name", "host", "data_path", "portal_data_path", "data_ref"):
        if not isinstance(req.get(key), text_type):
            raise RequestError("the job request has no '%s'" % key)
    if not isinstance(req.get("params"), dict) or not isinstance(req.get("test"), bool):
        raise RequestError("the job request has no 'params' object or no boolean 'test'")
    return req


# ------------------------------------------------------------------------------------------ messages
class Scrubber(object):
    """Keeps the server's absolute paths out of what users see (status messages, job.log)."""

    def __init__(self, req):
        self.pairs = [(req["data_path"].rstrip("/"), req["portal_data_path"]), (os.getcwd().rstrip("/") + "/", "")]

    def __call__(self, text):
        if not isinstance(text, text_type):
            try:
                text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text_type(text)
            except Exception:  # noqa: BLE001 (a broken __str__ must not lose the status)
                text = repr(text)
        for raw, shown in self.pairs:
            if raw:
                text = text.replace(raw, shown)
        text = "".join(c if c >= " " or c == "\t" else " " for c in text)
        return text[:MAX_MESSAGE]


def exception_text(exc):
    try:
        text = text_type(exc)
    except Exception:  # noqa: BLE001 (Python 2: a non-ASCII byte-string message)
        text = repr(exc)
    return text or type(exc).__name__


JOB_LOG_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"


class JobLog(object):
    """The runner's own lines in out/job.log, in the format of the "job" logger of 0.7 (and of job_logger() below),
    without importing the logging module: the runner's parent never needs it, and it costs a job's start time."""

    def __init__(self):
        if not os.path.isdir(OUT_DIR):
            os.makedirs(OUT_DIR)
        self.path = os.path.join(OUT_DIR, "job.log")

    def _write(self, level, message, args):
        now = time.time()
        stamp = "%s,%03d" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)), int(now % 1 * 1000))
        line = "%s - %s - %s\n" % (stamp, level, message % args if args else message)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8", "replace") if isinstance(line, text_type) else line)
        finally:
            os.close(fd)

    def info(self, message, *args):
        self._write("INFO", message, args)

    def warning(self, message, *args):
        self._write("WARNING", message, args)

    def error(self, message, *args):
        self._write("ERROR", message, args)


def job_logger():
    """In a Python service's process: the "job" logger writing to out/job.log, as 0.7's job.py set it up, for services
    that log through it. Set up only for a service that uses the logging module (its source names it, or it is loaded
    once the service is): importing it costs every other job about 10 ms."""
    import logging
    if getattr(job_logger, "done", False):
        return
    job_logger.done = True
    logger = logging.getLogger("job")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.FileHandler(os.path.join(OUT_DIR, "job.log"))
    handler.setFormatter(logging.Formatter(JOB_LOG_FORMAT))
    logger.addHandler(handler)


def names_logging(script):
    try:
        with io.open(script, "rb") as fh:
            return b"logging" in fh.read()
    except (IOError, OSError):
        return False


def write_processing_config(req, job_start):
    params = dict(req["params"])
    params["test"] = req["test"]
    config = {
        "service_name": req["service"]["name"],
        "host": req["host"],
        "data": {"data_path": req["portal_data_path"], "data_reference": req["data_ref"]},
        "run_parameters": params,
        "time_info": {"job_start": job_start, "job_finished": utc_now()},
    }
    with io.open(os.path.join(OUT_DIR, "processing_config.json"), "wb") as fh:
        fh.write((dump_json(config, indent=4) + "\n").encode("ascii"))


def module_name(service_name):
    name = re.sub(r"\W", "_", service_name)
    return "script_" + name if re.match(r"^[0-9]", name) else name


def load_module(name, path):
    try:
        import importlib.util
        spec_from_file, from_spec = importlib.util.spec_from_file_location, importlib.util.module_from_spec
    except (ImportError, AttributeError):
        spec_from_file = from_spec = None
    if spec_from_file is not None:
        spec = spec_from_file(name, path)
        module = from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    import imp  # Python 2.7 and < 3.5
    return imp.load_source(name, path)


# ------------------------------------------------------------------------------------------ child: the service
def print_exception():
    """The service's traceback, on stderr (stderr.log); the module is loaded only when a service failed."""
    import traceback
    traceback.print_exc()


def run_python_service(req, scrub, log):
    """In the forked child. Never returns: exits 0 (completed) or 1 (failed, timed out)."""
    service_pid = os.getpid()

    def on_sigterm(signum, frame):
        if os.getpid() != service_pid:
            # A process the service forked inherits this handler: stopped as a leftover, it just ends, as SIGTERM
            # would end it. Only the service's own process speaks for the job.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            os._exit(128 + signal.SIGTERM)
        append_event("timed out", "job timed out.")
        log.error("Job stopped by SIGTERM (time limit reached).")
        os._exit(1)

    signal.signal(signal.SIGTERM, on_sigterm)
    service = req["service"]
    job_start = utc_now()
    sys.dont_write_bytecode = True
    for path in (os.getcwd(), os.path.dirname(service["script"])):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        if names_logging(service["script"]):
            job_logger()
        module = load_module(module_name(service["name"]), service["script"])
        if "logging" in sys.modules:
            job_logger()
        run = getattr(module, "run", None)
        if not callable(run):
            raise AttributeError("the service has no run() function")
    except Exception as exc:  # noqa: BLE001 (any import failure is the service's failure)
        print_exception()
        message = scrub("cannot load the service: %s" % exception_text(exc))
        log.error(message)
        append_event("failed", message)
        os._exit(1)

    log.info("Job %s: service '%s' started (data: %s, reference: %s, test mode: %s).",
             req["job_name"], service["name"], req["portal_data_path"], req["data_ref"], req["test"])
    append_event("running", "job is running")
    params = native(dict(req["params"]))
    try:
        run(native(req["data_path"]), native(req["data_ref"]), test=req["test"], **params)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            message = scrub("the service called sys.exit(%s)" % (exc.code,))
            log.error(message)
            append_event("failed", message)
            os._exit(1)
    except BaseException as exc:  # noqa: BLE001 (KeyboardInterrupt included: the job still needs an outcome)
        print_exception()
        message = scrub(exception_text(exc))
        log.error("Job failed: %s", message)
        append_event("failed", message)
        os._exit(1)
    finish_completed(req, job_start, log)
    os._exit(0)


def finish_completed(req, job_start, log):
    try:
        write_processing_config(req, job_start)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not write processing_config.json: %s", exception_text(exc))
    log.info("Job %s executed successfully.", req["job_name"])
    append_event("completed", "job executed successfully")


def exec_bash_service(req):
    """In the forked child: replaces itself with the script; arguments are argv, never shell text."""
    params_file = os.path.join(os.getcwd(), PARAMS_FILE)
    write_atomic(params_file, req["params"])
    env = dict(os.environ)
    env.update({
        "TERMINUS_DATA_PATH": req["data_path"],
        "TERMINUS_DATA_REF": req["data_ref"],
        "TERMINUS_TEST": "1" if req["test"] else "0",
        "TERMINUS_PARAMS_FILE": params_file,
        "TERMINUS_JOB_ID": str(req.get("job_id", "")),
        "TERMINUS_JOB_NAME": req["job_name"],
    })
    env = dict((native(k), native(v)) for k, v in env.items())
    service = req["service"]
    argv = [service["interpreter"], service["script"], req["data_path"], req["data_ref"]]
    try:
        os.execve(native(service["interpreter"]), [native(a) for a in argv], env)
    except OSError as exc:
        append_event("failed", "cannot start the service interpreter: %s" % exc.strerror)
        os._exit(127)


def last_stderr_line(scrub):
    try:
        with io.open("stderr.log", "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            tail = fh.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""
    lines = [l.strip() for l in tail.splitlines() if l.strip()]
    return scrub(lines[-1])[:300] if lines else ""


# ------------------------------------------------------------------------------------------ parent
SIGNAL_NAMES = dict((getattr(signal, n), n) for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_"))


def wait_child(pid):
    """Waits for the service process, reaping meanwhile the orphans re-parented to us (we are their subreaper)."""
    while True:
        try:
            done, status = os.waitpid(-1, 0)
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            raise
        if done == pid:
            return status


# ------------------------------------------------------------------------------------------ containment
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Whatever the service starts stays below us, even if it detaches (setsid, double fork): orphans are
    re-parented to this process instead of init, so the job's whole tree can be found and ended."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except Exception:  # noqa: BLE001 (no ctypes, no prctl: the daemon still finds the job by its token)
        return False


def descendants(root):
    """Live descendants of root, from /proc (zombies left out: they are reaped, not signalled)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with io.open("/proc/%s/stat" % name, "r", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(")") + 2:].split()
        except (IOError, OSError, ValueError):
            continue
        if fields[0] in ("Z", "X"):
            continue
        children.setdefault(int(fields[1]), []).append(int(name))
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def reap():
    """Reaps every child that has ended; returns whether any child is left (waitpid says ECHILD when none is)."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return True
        except OSError as exc:
            return exc.errno != errno.ECHILD


def signal_all(pids, signum):
    for pid in pids:
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def end_leftovers(grace, log, subreaper):
    """The service has ended: whatever it left running ends with it (SIGTERM, then SIGKILL after the grace)."""
    me = os.getpid()
    if not reap() and subreaper:
        # As the subreaper, we inherit every orphan of the tree: with no child left, nothing of the job runs (no /proc scan).
        return
    left = descendants(me)
    if not left:
        return
    log.warning("The service left %d process(es) running; stopping them.", len(left))
    signal_all(left, signal.SIGTERM)
    deadline = time.time() + grace
    while time.time() < deadline:
        reap()
        if not descendants(me):
            return
        time.sleep(0.1)
    for _ in range(100):
        left = descendants(me)
        if not left:
            break
        signal_all(left, signal.SIGKILL)
        time.sleep(0.02)
        reap()
    reap()


def decide(req, scrub, raw_status, terminated, log):
    """The job's final (status, message, exit_code, signal) from the child's events and its wait status."""
    exit_code = os.WEXITSTATUS(raw_status) if os.WIFEXITED(raw_status) else None
    signum = os.WTERMSIG(raw_status) if os.WIFSIGNALED(raw_status) else None
    finals = [e for e in read_events() if e.get("status") in ("completed", "failed", "timed out")]
    if finals:
        last = finals[-1]
        if last["status"] != "completed" or exit_code == 0:
            return last["status"], last.get("message", ""), exit_code, signum, False
    if terminated or signum == signal.SIGTERM:
        return "timed out", "job timed out.", exit_code, signum, True
    if signum is not None:
        name = SIGNAL_NAMES.get(signum, "signal %d" % signum)
        hint = " (perhaps it ran out of memory)" if signum == signal.SIGKILL else ""
        return "failed", "the service process was killed by %s%s" % (name, hint), exit_code, signum, True
    if req["service"]["type"] == "bash":
        if exit_code == 0:
            finish_completed(req, JOB_START[0], log)
            return "completed", "job executed successfully", 0, None, False
        line = last_stderr_line(scrub)
        script = os.path.basename(req["service"]["script"])
        return "failed", "%s exited with code %d%s" % (script, exit_code, ": " + line if line else ""), exit_code, None, True
    if exit_code == 0:
        return "failed", "the service process ended without reporting a result", 0, None, True
    return "failed", "the service process exited with code %d" % exit_code, exit_code, None, True


JOB_START = [None]
DEFAULT_KILL_GRACE_S = 10


def kill_grace(req):
    grace = req.get("kill_grace_s")
    return grace if isinstance(grace, (int, float)) and not isinstance(grace, bool) and 0 <= grace <= 3600 else DEFAULT_KILL_GRACE_S


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: terminus_runner.py <terminus_request.json>\n")
        return 2
    started = utc_now()
    JOB_START[0] = started
    pid = os.getpid()
    write_atomic(RUNNER_FILE, {"pid": pid, "pgid": os.getpgrp(), "start_ticks": start_ticks(pid),
                               "hostname": os.uname()[1], "started": started,
                               "python": sys.version.split()[0]})
    try:
        req = load_request(argv[1])
    except RequestError as exc:
        message = "%s" % exc
        append_event("failed", message)
        write_atomic(EXIT_FILE, {"status": "failed", "message": message, "exit_code": 2, "signal": None,
                                 "started": started, "finished": utc_now()})
        return 2
    scrub = Scrubber(req)
    log = JobLog()
    subreaper = become_subreaper()

    terminated = []

    def forward_sigterm(signum, frame):
        terminated.append(signum)
        signal_all(descendants(os.getpid()), signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward_sigterm)
    if req["service"]["type"] == "bash":
        log.info("Job %s: service '%s' started (data: %s, reference: %s, test mode: %s).",
                 req["job_name"], req["service"]["name"], req["portal_data_path"], req["data_ref"], req["test"])
        append_event("running", "job is running")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid_child = os.fork()
    except OSError as exc:
        message = "cannot start the service process: %s" % exc.strerror
        append_event("failed", message)
        write_atomic(EXIT_FILE, {"status": "failed", "message": message, "exit_code": None, "signal": None,
                                 "started": started, "finished": utc_now()})
        return 1
    if pid_child == 0:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if req["service"]["type"] == "bash":
                exec_bash_service(req)
            else:
                run_python_service(req, scrub, log)
        finally:
            os._exit(1)  # never reached unless something above raised
    raw_status = wait_child(pid_child)
    end_leftovers(kill_grace(req), log, subreaper)
    status, message, exit_code, signum, append = decide(req, scrub, raw_status, terminated, log)
    if append:
        if status == "failed":
            log.error("Job failed: %s", message)
        append_event(status, message)
    write_atomic(EXIT_FILE, {"status": status, "message": message, "exit_code": exit_code, "signal": signum,
                             "started": started, "finished": utc_now()})
    return 0 if status == "completed" else 1


if __name__ == "__main__":
    code = main(sys.argv)
    # Everything the job needs is written (the exit record by rename, job.log by os.write): leave without the
    # interpreter's teardown, which costs a job tens of milliseconds.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
