#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""Galactica portal simulator for the Terminus.Actors integration tests.

Run with the DEBIAN interpreter: /usr/bin/python3 (python3-celery 5.2.6, kombu 5.2.4, py-amqp 5.1.1).
The pyenv `python3` first on PATH cannot import celery.

Broker: env AMQP_URI (default amqp://terminus:terminus-pass@127.0.0.1:5672/terminus).

Subcommands (see test/harness/README.md):
  ping                                  check broker connectivity
  declare --host H [--no-jobs-queue] [--no-monitor-queue]
  delete-queues --host H
  send-job --host H [--args JSON] [--kwargs JSON] [--task-id ID] [--priority N] [--countdown S] [--expires S]
  send-probe --host H [--task-id ID]
  send-task --name N --exchange E --routing-key RK [--args JSON] [--kwargs JSON] [--task-id ID] [--header k=JSON ...]
  send-raw --host H --to jobs|monitor (--body STR | --body-b64 B64 | --body-file F) [--header k=JSON ...]
           [--drop-header k ...] [--no-task-header] [--bare-headers] [--task NAME] [--task-id ID]
           [--content-type T] [--content-encoding E] [--priority N] [--expiration MS] [--delivery-mode 1|2]
  worker --out FILE.jsonl [--ready FILE] [--logfile F] [--loglevel L]
  get --queue Q [--max N] [--wait S] [--requeue]
  purge --queue Q

Output: JSON on stdout (one object; `get` prints one JSON line per message). On error: a JSON line
{"error": "...", "code": N} on stdout, a readable message on stderr, exit code N:
  1 unexpected error, 2 bad command line / bad JSON argument, 3 broker unreachable or login refused,
  4 NOT_FOUND (404: missing queue/exchange), 5 PRECONDITION_FAILED (406: inequivalent queue arguments),
  6 message nacked by the broker (e.g. x-overflow reject-publish on a full queue).
"""
import argparse
import base64
import datetime
import decimal
import inspect
import json
import os
import socket
import sys
import time
import uuid

DEFAULT_URI = "amqp://terminus:terminus-pass@127.0.0.1:5672/terminus"
TERMINUS_EXCHANGE = "terminus"
STATUS_EXCHANGE = "galactica.status"
CAPTURE_QUEUES = (  # name, routing key on galactica.status
    ("galactica.terminus_status", "galactica.terminus_status"),
    ("galactica.host_online", "host_online"),
    ("galactica.host_down", "host_down"),
)
WORKER_QUEUES = ("galactica.terminus_status", "galactica.host_online")
# Celery protocol-2 headers (Celery 5.2); everything else seen in a request is reported as "extra"
CELERY_HEADERS = ("lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries",
                  "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result",
                  "stamped_headers", "stamps", "replaced_task_nesting")


class HarnessError(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# ----------------------------------------------------------------------------------------------- helpers
def amqp_uri():
    return os.environ.get("AMQP_URI") or DEFAULT_URI


def safe_uri(u):
    try:
        from urllib.parse import urlsplit
        p = urlsplit(u)
        if p.password:
            return u.replace(":" + p.password + "@", ":***@", 1)
    except Exception:
        pass
    return u


def to_jsonable(v):
    """AMQP values -> JSON (bytes decoded, timestamps -> unix seconds)."""
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return {"$b64": base64.b64encode(b).decode("ascii")}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.timestamp()
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


def emit(obj):
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse_json_arg(text, what, expected_type=None):
    try:
        v = json.loads(text)
    except ValueError as e:
        raise HarnessError(f"{what}: not valid JSON ({e}): {text!r}", 2)
    if expected_type is not None and not isinstance(v, expected_type):
        raise HarnessError(f"{what}: expected a JSON {expected_type.__name__}, got {type(v).__name__}: {text!r}", 2)
    return v


def parse_headers(items):
    """['k=JSON', ...] -> dict. A value that is not valid JSON is an error (quote strings: k='"text"')."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise HarnessError(f"--header {item!r}: expected KEY=JSONVALUE", 2)
        k, v = item.split("=", 1)
        out[k] = parse_json_arg(v, f"--header {k}")
    return out


def kombu_topology(host, no_declare=False):
    from kombu import Exchange, Queue
    terminus_ex = Exchange(TERMINUS_EXCHANGE, type="direct")
    status_ex = Exchange(STATUS_EXCHANGE, type="direct")
    job_q = Queue(f"{host}.terminus_jobs", terminus_ex, routing_key=f"{host}.terminus_job",
                  queue_arguments={"x-max-length": 1024, "x-overflow": "reject-publish", "x-max-priority": 128},
                  no_declare=no_declare)
    mon_q = Queue(f"{host}.monitor", terminus_ex, routing_key=f"{host}.monitoring",
                  queue_arguments={"x-max-length": 32, "x-overflow": "reject-publish", "x-message-ttl": 30000,
                                   "x-dead-letter-exchange": STATUS_EXCHANGE,
                                   "x-dead-letter-routing-key": "host_down"},
                  no_declare=no_declare)
    capture = [Queue(name, status_ex, routing_key=rk, no_declare=no_declare) for name, rk in CAPTURE_QUEUES]
    return job_q, mon_q, capture


class Amqp:
    """A plain py-amqp connection + channel (through kombu's URI parsing)."""

    def __enter__(self):
        from kombu import Connection
        self.conn = Connection(amqp_uri(), connect_timeout=10)
        self.conn.connect()
        self.raw = self.conn.connection          # amqp.Connection
        self.ch = self.raw.channel()
        return self

    def __exit__(self, *exc):
        try:
            self.conn.release()
        except Exception:
            pass
        return False


def celery_app(host=None):
    """A Celery 5 client configured like the portal. Queues are no_declare: sending never declares anything
    (the topology is declared once, exactly, by `declare`)."""
    from celery import Celery
    app = Celery("galactica_portal", broker=amqp_uri(), set_as_current=True)
    conf = dict(enable_utc=True, task_create_missing_queues=False, broker_connect_timeout=10,
                worker_enable_remote_control=False, task_send_sent_event=False,
                # Each publish waits for the broker's confirm: when a command returns, every message it sent is in
                # the broker. Without it, a flood's tail could be lost when the process exits with the last frames
                # still unprocessed (seen twice in a flood test: 265 of 450 requests reached the daemon, then none).
                broker_transport_options={"confirm_publish": True})
    if host:
        job_q, mon_q, _ = kombu_topology(host, no_declare=True)
        conf.update(task_queues=(job_q, mon_q), task_default_queue=job_q.name)
    else:
        from kombu import Queue
        q = Queue("galactica.terminus_status", no_declare=True)
        conf.update(task_queues=(q,), task_default_queue=q.name)
    app.conf.update(conf)
    return app


def send_celery_task(app, name, args, kwargs, exchange, routing_key, task_id=None, **options):
    with app.producer_or_acquire() as producer:
        r = app.send_task(name, args=args, kwargs=kwargs, exchange=exchange, routing_key=routing_key,
                          task_id=task_id, producer=producer, **options)
        sent_at = time.time()   # after the publish left this process: latency measurements start here
    return {"task_id": r.id, "task": name, "exchange": exchange, "routing_key": routing_key, "sent_at": sent_at}


# ----------------------------------------------------------------------------------------------- commands
def cmd_ping(a):
    with Amqp() as c:
        sp = c.raw.server_properties or {}
        emit({"ok": True, "uri": safe_uri(amqp_uri()), "product": sp.get("product"), "version": sp.get("version")})


def cmd_declare(a):
    job_q, mon_q, capture = kombu_topology(a.host)
    selected, skipped = [], []
    for q, skip in ((job_q, a.no_jobs_queue), (mon_q, a.no_monitor_queue)):
        (skipped if skip else selected).append(q)
    selected += capture
    with Amqp() as c:
        for q in selected:
            q.bind(c.ch).declare()      # exchange + queue + binding, durable
    emit({"host": a.host, "exchanges": [TERMINUS_EXCHANGE, STATUS_EXCHANGE],
          "queues": [q.name for q in selected], "skipped": [q.name for q in skipped]})


def cmd_delete_queues(a):
    out = {}
    with Amqp() as c:
        for name in (f"{a.host}.terminus_jobs", f"{a.host}.monitor"):
            out[name] = c.ch.queue_delete(name)   # number of messages deleted (0 if it did not exist)
    emit({"host": a.host, "deleted": out})


def cmd_send_job(a):
    args = parse_json_arg(a.args, "--args", list)
    kwargs = parse_json_arg(a.kwargs, "--kwargs", dict)
    opts = {}
    if a.priority is not None:
        opts["priority"] = a.priority
    if a.countdown is not None:
        opts["countdown"] = a.countdown
    if a.expires is not None:
        opts["expires"] = a.expires
    app = celery_app(a.host)
    count = a.count
    if count > 1 and not (args and isinstance(args[0], int)):
        raise SystemExit("--count needs a job id (an int) as the first argument")
    for i in range(count):
        # a flood: job ids args[0], args[0]+1, ... each in a task of its own, one JSON line each
        job_args = [args[0] + i] + args[1:] if count > 1 else args
        emit(send_celery_task(app, "execute_terminus_job", job_args, kwargs, TERMINUS_EXCHANGE,
                              f"{a.host}.terminus_job", a.task_id if count == 1 else None, **opts))


def cmd_send_probe(a):
    app = celery_app(a.host)
    emit(send_celery_task(app, "test_terminus_server_is_up", [a.host], {}, TERMINUS_EXCHANGE,
                          f"{a.host}.monitoring", a.task_id))


def cmd_send_cancel(a):
    # our extension of the wire contract: cancel_terminus_job(jobid, reason=None, by="portal")
    kwargs = {}
    if a.reason is not None:
        kwargs["reason"] = a.reason
    if a.by is not None:
        kwargs["by"] = a.by
    key = f"{a.host}.monitoring" if a.to == "monitor" else f"{a.host}.terminus_job"
    emit(send_celery_task(celery_app(a.host), "cancel_terminus_job", [a.job], kwargs, TERMINUS_EXCHANGE, key, a.task_id))


def cmd_send_task(a):
    args = parse_json_arg(a.args, "--args", list)
    kwargs = parse_json_arg(a.kwargs, "--kwargs", dict)
    headers = parse_headers(a.header)
    opts = {"headers": headers} if headers else {}
    app = celery_app(None)
    emit(send_celery_task(app, a.name, args, kwargs, a.exchange, a.routing_key, a.task_id, **opts))


def cmd_send_raw(a):
    import amqp
    if a.body is not None:
        body = a.body.encode("utf-8")
    elif a.body_b64 is not None:
        try:
            body = base64.b64decode(a.body_b64, validate=True)
        except Exception as e:
            raise HarnessError(f"--body-b64: {e}", 2)
    else:
        with open(a.body_file, "rb") as f:
            body = f.read()
    tid = a.task_id or str(uuid.uuid4())
    default_task = "execute_terminus_job" if a.to == "jobs" else "test_terminus_server_is_up"
    if a.bare_headers:
        headers = {}
    else:   # a complete Celery 5.2 protocol-2 header set, as send_task would produce
        argsrepr = kwargsrepr = ""
        try:
            parsed = json.loads(body)
            if isinstance(parsed, list) and len(parsed) >= 2:
                argsrepr, kwargsrepr = repr(parsed[0]), repr(parsed[1])
        except Exception:
            pass
        headers = {"lang": "py", "task": a.task or default_task, "id": tid, "shadow": None, "eta": None,
                   "expires": None, "group": None, "group_index": None, "retries": 0, "timelimit": [None, None],
                   "root_id": tid, "parent_id": None, "argsrepr": argsrepr, "kwargsrepr": kwargsrepr,
                   "origin": f"gen{os.getpid()}@{socket.gethostname()}", "ignore_result": False}
    if a.bare_headers and a.task:
        headers["task"] = a.task
    if a.no_task_header:
        headers.pop("task", None)
    for k in a.drop_header or []:
        headers.pop(k, None)
    headers.update(parse_headers(a.header))
    props = {"delivery_mode": a.delivery_mode, "priority": a.priority, "correlation_id": tid,
             "reply_to": str(uuid.uuid4()), "application_headers": headers}
    if a.content_type:
        props["content_type"] = a.content_type
    if a.content_encoding:
        props["content_encoding"] = a.content_encoding
    if a.expiration is not None:
        props["expiration"] = str(a.expiration)
    rk = f"{a.host}.terminus_job" if a.to == "jobs" else f"{a.host}.monitoring"
    returned = []
    with Amqp() as c:
        c.ch.events["basic_return"].add(lambda *args: returned.append(args))
        try:   # publisher confirm: waits for basic.ack / basic.nack (a basic.return comes before the ack)
            c.ch.basic_publish_confirm(amqp.Message(body, **props), exchange=TERMINUS_EXCHANGE, routing_key=rk,
                                       mandatory=True, confirm_timeout=15)
        except amqp.exceptions.MessageNacked:
            raise HarnessError(f"broker nacked the message to {TERMINUS_EXCHANGE}/{rk} (queue full? "
                               f"x-overflow=reject-publish)", 6)
    emit({"task_id": tid, "exchange": TERMINUS_EXCHANGE, "routing_key": rk, "confirmed": True,
          "routed": not returned, "body_bytes": len(body), "properties": {k: v for k, v in props.items()
                                                                        if k != "application_headers"},
          "headers": headers})


def render_message(queue, m):
    props = dict(m.properties or {})
    headers = props.pop("application_headers", None) or {}
    di = m.delivery_info or {}
    body = bytes(m.body) if not isinstance(m.body, str) else m.body.encode("utf-8")
    out = {"queue": queue, "exchange": di.get("exchange"), "routing_key": di.get("routing_key"),
           "redelivered": di.get("redelivered"), "message_count": di.get("message_count"),
           "properties": props, "headers": headers}
    try:
        out["body"] = body.decode("utf-8")
        try:
            out["body_json"] = json.loads(out["body"])
        except ValueError:
            pass
    except UnicodeDecodeError:
        out["body"] = None
        out["body_b64"] = base64.b64encode(body).decode("ascii")
    return out


def cmd_get(a):
    n = 0
    deadline = time.monotonic() + a.wait
    held = []
    with Amqp() as c:
        while n < a.max:
            m = c.ch.basic_get(queue=a.queue, no_ack=False)
            if m is None:
                if n == 0 and time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                break
            emit(render_message(a.queue, m))
            n += 1
            if a.requeue:
                held.append(m.delivery_tag)
            else:
                c.ch.basic_ack(m.delivery_tag)
        for tag in held:
            c.ch.basic_reject(tag, requeue=True)
    print(f"galactica_portal get: {n} message(s) from {a.queue}", file=sys.stderr)


def cmd_purge(a):
    with Amqp() as c:
        n = c.ch.queue_purge(a.queue)
    emit({"queue": a.queue, "purged": n or 0})


# ----------------------------------------------------------------------------------------------- worker
def _sig_update_terminus_job_status(jobid, status, message):
    pass


def _sig_update_server_online(host):
    pass


def cmd_worker(a):
    import warnings
    from celery import Celery, signals
    from celery.exceptions import SecurityWarning
    from kombu import Exchange, Queue

    warnings.filterwarnings("ignore", category=SecurityWarning)   # "running the worker as root" (CI is root)
    # Celery prints its banner to sys.__stdout__: point fd 1 at stderr so stdout stays machine-readable
    # (only our JSON lines go to the original stdout).
    sys.stdout.flush()
    real_stdout = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    status_ex = Exchange(STATUS_EXCHANGE, type="direct")
    queues = tuple(Queue(name, status_ex, routing_key=rk) for name, rk in CAPTURE_QUEUES if name in WORKER_QUEUES)
    app = Celery("galactica_portal_worker", broker=amqp_uri(), set_as_current=True)
    app.conf.update(
        enable_utc=True,
        task_queues=queues,
        task_default_queue=WORKER_QUEUES[0],   # never declare Celery's default "celery" queue
        task_create_missing_queues=False,
        worker_enable_remote_control=False,    # no pidbox queue / exchange
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_prefetch_multiplier=64,         # a flood of statuses is drained at once (with 1, a burst trickles in at the event loop's 10 s wake-ups)
        broker_connection_retry=True,          # reconnect after a broker restart, forever
        broker_connection_max_retries=None,
        broker_connect_timeout=10,
    )
    out = open(a.out, "a", buffering=1, encoding="utf-8")

    def write(rec):
        rec.setdefault("received_at", time.time())
        out.write(json.dumps(to_jsonable(rec), ensure_ascii=False) + "\n")
        out.flush()

    def handle(task, name, sig, args, kwargs):
        req = task.request
        rd = dict(vars(req))
        sig_error = None
        try:
            inspect.signature(sig).bind(*args, **kwargs)
        except TypeError as e:
            sig_error = str(e)
        rec = {
            "event": "task", "task": name, "args": list(args), "kwargs": dict(kwargs),
            "id": req.id, "root_id": req.root_id, "parent_id": req.parent_id,
            "headers": {k: v for k, v in rd.items() if isinstance(k, str) and k.startswith("x-")},
            "celery_headers": {k: rd[k] for k in CELERY_HEADERS if k in rd},
            "properties": {"correlation_id": rd.get("correlation_id"), "reply_to": rd.get("reply_to")},
            "delivery_info": dict(req.delivery_info or {}),
            "signature_ok": sig_error is None,
            "received_at": time.time(),
        }
        if sig_error:
            rec["error"] = sig_error
        write(rec)
        if sig_error:   # behave like the real portal task would: the call fails
            raise TypeError(f"{name}(): {sig_error}")
        return None

    @app.task(bind=True, name="update_terminus_job_status", ignore_result=True)
    def update_terminus_job_status(self, *args, **kwargs):
        return handle(self, "update_terminus_job_status", _sig_update_terminus_job_status, args, kwargs)

    @app.task(bind=True, name="update_server_online", ignore_result=True)
    def update_server_online(self, *args, **kwargs):
        return handle(self, "update_server_online", _sig_update_server_online, args, kwargs)

    @signals.task_unknown.connect(weak=False)
    def on_unknown(sender=None, name=None, id=None, message=None, exc=None, **kw):
        di = getattr(message, "delivery_info", None) or {}
        write({"event": "unknown_task", "task": name, "id": id, "error": str(exc),
               "delivery_info": {k: di.get(k) for k in ("exchange", "routing_key")}})

    @signals.task_rejected.connect(weak=False)
    def on_rejected(sender=None, message=None, exc=None, **kw):
        headers = getattr(message, "headers", None) or {}
        di = getattr(message, "delivery_info", None) or {}
        write({"event": "rejected", "task": headers.get("task"), "id": headers.get("id"), "error": repr(exc),
               "delivery_info": {k: di.get(k) for k in ("exchange", "routing_key")}})

    @signals.task_internal_error.connect(weak=False)
    def on_internal_error(sender=None, task_id=None, args=None, kwargs=None, request=None, exc=None, **kw):
        di = getattr(request, "delivery_info", None) or {}
        write({"event": "internal_error", "task": getattr(sender, "name", None), "id": task_id,
               "error": repr(exc), "delivery_info": {k: di.get(k) for k in ("exchange", "routing_key")}})

    # Observation only (decoding itself is Celery's): a message whose body Celery cannot decode is logged and
    # acked by Consumer.on_decode_error; record it too so tests see it.
    from celery.worker.consumer.consumer import Consumer
    original_on_decode_error = Consumer.on_decode_error

    def on_decode_error(self, message, exc):
        di = getattr(message, "delivery_info", None) or {}
        write({"event": "decode_error", "task": (getattr(message, "headers", None) or {}).get("task"),
               "error": repr(exc), "content_type": getattr(message, "content_type", None),
               "delivery_info": {k: di.get(k) for k in ("exchange", "routing_key")}})
        return original_on_decode_error(self, message, exc)
    Consumer.on_decode_error = on_decode_error

    @signals.worker_ready.connect(weak=False)
    def on_ready(sender=None, **kw):
        print(f"galactica_portal worker: ready (pid {os.getpid()}), consuming {', '.join(WORKER_QUEUES)}",
              file=sys.stderr, flush=True)
        if a.ready:
            tmp = f"{a.ready}.tmp.{os.getpid()}"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid(), "ready_at": time.time(), "queues": list(WORKER_QUEUES)}, f)
                f.write("\n")
            os.replace(tmp, a.ready)
        real_stdout.write(json.dumps({"ready": True, "pid": os.getpid(), "queues": list(WORKER_QUEUES)}) + "\n")
        real_stdout.flush()

    argv = ["worker", "--pool=solo", "--concurrency=1", "--without-mingle", "--without-gossip",
            "--without-heartbeat", f"--loglevel={a.loglevel}", f"--queues={','.join(WORKER_QUEUES)}",
            f"--hostname=galactica-portal.{os.getpid()}@%h"]
    if a.logfile:
        argv.append(f"--logfile={a.logfile}")
    try:
        rc = app.worker_main(argv=argv)
    finally:
        out.close()
    real_stdout.write(json.dumps({"stopped": True, "pid": os.getpid()}) + "\n")
    real_stdout.flush()
    return rc or 0


# ----------------------------------------------------------------------------------------------- main
def build_parser():
    p = argparse.ArgumentParser(prog="galactica_portal.py",
                                description="Galactica portal simulator (Celery 5 client) for Terminus tests")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("ping", help="connect to the broker and print its version")
    s.set_defaults(fn=cmd_ping)

    s = sub.add_parser("declare", help="declare the portal topology for terminus host H")
    s.add_argument("--host", required=True)
    s.add_argument("--no-jobs-queue", action="store_true", help="do not declare H.terminus_jobs")
    s.add_argument("--no-monitor-queue", action="store_true", help="do not declare H.monitor")
    s.set_defaults(fn=cmd_declare)

    s = sub.add_parser("delete-queues", help="delete H.terminus_jobs and H.monitor")
    s.add_argument("--host", required=True)
    s.set_defaults(fn=cmd_delete_queues)

    s = sub.add_parser("send-job", help="send_task('execute_terminus_job') like the portal")
    s.add_argument("--host", required=True)
    s.add_argument("--args", default="[]", help="JSON list (default [])")
    s.add_argument("--kwargs", default="{}", help="JSON object (default {})")
    s.add_argument("--task-id")
    s.add_argument("--priority", type=int)
    s.add_argument("--countdown", type=float, help="seconds -> eta header")
    s.add_argument("--expires", type=float, help="seconds -> expires header + AMQP expiration")
    s.add_argument("--count", type=int, default=1, help="send N jobs, ids args[0] .. args[0]+N-1 (a flood)")
    s.set_defaults(fn=cmd_send_job)

    s = sub.add_parser("send-probe", help="send_task('test_terminus_server_is_up', args=[H]) like the portal")
    s.add_argument("--host", required=True)
    s.add_argument("--task-id")
    s.set_defaults(fn=cmd_send_probe)

    s = sub.add_parser("send-cancel", help="send_task('cancel_terminus_job', args=[JOB]) like a portal (our extension)")
    s.add_argument("--host", required=True)
    s.add_argument("--job", required=True, type=int)
    s.add_argument("--to", default="monitor", choices=("monitor", "jobs"), help="routing key: H.monitoring (default) or H.terminus_job")
    s.add_argument("--reason")
    s.add_argument("--by", help="portal (the default when absent) or operator")
    s.add_argument("--task-id")
    s.set_defaults(fn=cmd_send_cancel)

    s = sub.add_parser("send-task", help="generic Celery send_task (e.g. to feed the worker)")
    s.add_argument("--name", required=True)
    s.add_argument("--exchange", required=True)
    s.add_argument("--routing-key", required=True)
    s.add_argument("--args", default="[]")
    s.add_argument("--kwargs", default="{}")
    s.add_argument("--task-id")
    s.add_argument("--header", action="append", metavar="KEY=JSON", help="extra message header (repeatable)")
    s.set_defaults(fn=cmd_send_task)

    s = sub.add_parser("send-raw", help="publish an arbitrary (possibly malformed) message to H's queue")
    s.add_argument("--host", required=True)
    s.add_argument("--to", required=True, choices=("jobs", "monitor"))
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--body", help="body text (sent as UTF-8)")
    g.add_argument("--body-b64", help="body bytes, base64")
    g.add_argument("--body-file", help="body bytes from a file")
    s.add_argument("--header", action="append", metavar="KEY=JSON",
                   help="set a header, value is JSON: --header 'task=\"x\"' --header x-n=3 --header id=null")
    s.add_argument("--drop-header", action="append", metavar="KEY", help="remove a default header")
    s.add_argument("--no-task-header", action="store_true", help="omit the 'task' header (v1-style message)")
    s.add_argument("--bare-headers", action="store_true", help="start from no headers at all (only --header)")
    s.add_argument("--task", help="task header value (default by --to)")
    s.add_argument("--task-id", help="id header / correlation_id (default: new uuid)")
    s.add_argument("--content-type", default="application/json", help="'' = property absent")
    s.add_argument("--content-encoding", default="utf-8", help="'' = property absent")
    s.add_argument("--priority", type=int, default=0)
    s.add_argument("--delivery-mode", type=int, default=2, choices=(1, 2))
    s.add_argument("--expiration", type=int, help="AMQP expiration property, ms")
    s.set_defaults(fn=cmd_send_raw)

    s = sub.add_parser("worker", help="run a real Celery worker playing the portal's receiving side")
    s.add_argument("--out", required=True, help="JSONL file, one line per received task (appended)")
    s.add_argument("--ready", help="file written (atomically) when the worker consumes")
    s.add_argument("--logfile", help="celery log file (default stderr)")
    s.add_argument("--loglevel", default="INFO")
    s.set_defaults(fn=cmd_worker)

    s = sub.add_parser("get", help="basic_get + ack up to N messages, one JSON line each")
    s.add_argument("--queue", required=True)
    s.add_argument("--max", type=int, default=100)
    s.add_argument("--wait", type=float, default=0.0, help="poll up to S seconds for the first message")
    s.add_argument("--requeue", action="store_true", help="peek: put the messages back instead of acking")
    s.set_defaults(fn=cmd_get)

    s = sub.add_parser("purge", help="purge a queue")
    s.add_argument("--queue", required=True)
    s.set_defaults(fn=cmd_purge)
    return p


def classify(e):
    """Exception -> (exit code, message)."""
    try:
        import amqp.exceptions as ax
    except ImportError:   # pragma: no cover
        ax = None
    if isinstance(e, HarnessError):
        return e.code, str(e)
    if ax is not None:
        if isinstance(e, ax.NotFound):
            return 4, f"NOT_FOUND: {e}"
        if isinstance(e, ax.PreconditionFailed):
            return 5, f"PRECONDITION_FAILED: {e}"
        if isinstance(e, ax.AccessRefused):
            return 3, f"ACCESS_REFUSED: {e}"
    try:
        from kombu.exceptions import OperationalError
        if isinstance(e, OperationalError):
            return 3, f"broker unreachable at {safe_uri(amqp_uri())}: {e}"
    except ImportError:   # pragma: no cover
        pass
    if isinstance(e, (ConnectionError, socket.timeout, socket.gaierror)):
        return 3, f"broker unreachable at {safe_uri(amqp_uri())}: {e}"
    if isinstance(e, OSError) and e.filename:
        return 2, f"{e.strerror}: {e.filename}"
    return 1, f"{type(e).__name__}: {e}"


def main(argv=None):
    a = build_parser().parse_args(argv)
    try:
        rc = a.fn(a)
        return rc or 0
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        code, msg = classify(e)
        print(f"galactica_portal {a.cmd}: error: {msg}", file=sys.stderr, flush=True)
        emit({"error": msg, "code": code})
        return code


if __name__ == "__main__":
    sys.exit(main())
