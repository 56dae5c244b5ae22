#!/usr/bin/python3
# Prints what the real Celery 5.2 / kombu produce for a set of tricky task arguments, as a golden JSON file for
# the C# codec tests. Needs Debian python3-celery (5.2.6, the version on the wire); run from this directory with
#   /usr/bin/python3 celery_golden.py > celery-golden.json
# (not the pyenv python3 first on PATH, which cannot import the Debian package). The tests never run Python.
import json, sys
import celery, kombu
from celery import Celery
from celery.utils.saferepr import saferepr
from kombu.serialization import dumps as kombu_dumps

app = Celery("golden", broker="memory://")
ORIGIN = "gen4242@golden-host"
REPLY_TO = "d3b07384-d113-3ec6-a1c2-a5f0b1c2d3e4"
TASK_ID = "11111111-2222-4333-8444-555555555555"

long_words = " ".join(["word%03d" % i for i in range(200)])          # > 1024 chars, with spaces
cases = [
    ("status_failed_quote", "update_terminus_job_status", [123, "failed", "Post-processing service 'x' is not available."], {}),
    ("status_pending", "update_terminus_job_status", [123, "pending", "Job successfully submitted (pending execution)"], {}),
    ("status_stopped", "update_terminus_job_status", [7, "failed", "Job stopped with error message : 'boom \"bad\"'."], {}),
    ("server_online", "update_server_online", ["myhost"], {}),
    ("both_quotes", "t", ["both ' and \" quotes", 'only "double"', "only 'single'", ""], {}),
    ("escapes", "t", ["back\\slash", "new\nline", "tab\there", "cr\rx", "ctrl\x01\x1f\x7f", "bell\x07", "nul\x00"], {}),
    ("unicode", "t", ["\u00e9t\u00e9", "emoji \U0001F600", "\u4e2d\u6587", "\u00a0nbsp", "line\u2028sep", "zw\u200bsp", "\ufeffbom"], {}),
    ("ints", "t", [0, -1, 2**31, 2**63, -2**63, 2**64, 12345678901234567890123456789], {}),
    ("floats", "t", [0.1, 1e-05, 1e16, -0.0, 0.0, 1.0, 0.5, 1e15, 123456789.123, 1.5e-7, 1e22, 2.5e300, 3.141592653589793,
                     0.0001, 1e-4 * 0.99, 1e16 - 2, 9007199254740993.0, 5e-324, 1.7976931348623157e308, -2.5, 100.0], {}),
    ("consts", "t", [True, False, None, [], {}], {}),
    ("nested", "t", [[1, [2, [3, [4, [5]]]]], {"a": {"b": {"c": {"d": 1}}}}, [{"k": ["v", {"x": []}]}]], {}),
    ("kwargs_only", "execute_terminus_job", [], {"jobid": 5, "service_name": "s", "it's": "v", "nested": {"l": [1, 2.5, None]}}),
    ("wire_a1", "execute_terminus_job", [123, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"],
        {"xcenter": 0.5, "size": [0.1, "kpc"], "test": False}),
    ("long_string", "t", [long_words], {}),
    ("long_string_nospace", "t", ["x" * 1100], {}),
    ("long_quote_string", "t", ["it's " * 300], {}),
    ("many_items", "t", list(range(400)), {}),
    ("many_strings", "t", [1, ["abc def"] * 200, "tail"], {}),
    ("boundary_1022", "t", ["y" * 1019], {}),
    ("boundary_1023", "t", ["y" * 1020], {}),
    ("boundary_1024", "t", ["y" * 1021], {}),
    ("boundary_words", "t", ["ab " * 339 + "zz"], {}),
    ("big_number_trunc", "t", ["z" * 1015, 123456789012345], {}),
    ("empty", "t", [], {}),
]
# optional parent chain (a status sent from inside a running job task)
parents = {"status_pending": ("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "99999999-8888-4777-8666-555555555555")}

out = {"celery": celery.__version__, "kombu": kombu.__version__, "python": sys.version.split()[0],
       "origin": ORIGIN, "reply_to": REPLY_TO, "task_id": TASK_ID, "messages": [], "reprs": []}
for label, name, args, kwargs in cases:
    parent_id, root_id = parents.get(label, (None, None))
    msg = app.amqp.as_task_v2(TASK_ID, name, args=args, kwargs=kwargs, origin=ORIGIN, reply_to=REPLY_TO,
                              parent_id=parent_id, root_id=root_id)
    ctype, cenc, body = kombu_dumps(msg.body, serializer="json")
    out["messages"].append({
        "label": label, "name": name,
        "args_json": json.dumps(args), "kwargs_json": json.dumps(kwargs),
        "parent_id": parent_id, "root_id": root_id,
        "content_type": ctype, "content_encoding": cenc,
        "body": body if isinstance(body, str) else body.decode("utf-8"),
        "headers": msg.headers, "properties": msg.properties,
        "saferepr_args": saferepr(args, 1024), "saferepr_kwargs": saferepr(kwargs, 1024),
    })
# true Python repr() of JSON values as json.loads sees them (used for job.py parameter injection)
repr_inputs = ['"plain"', '"it\'s"', '"say \\"hi\\""', '"both \' and \\""', '"back\\\\slash\\n\\t\\r\\u0001\\u007f"',
               '"\\u00e9\\ud83d\\ude00\\u00a0\\u2028\\u200b\\u4e2d\\ufeff\\u0085\\u00ad"', '0', '-0', '12345678901234567890123',
               '1.0', '-0.0', '0.1', '1e-05', '1E16', '1e15', '1e400', '-1e400', '2.5e-320', '1E5', '123.456e2',
               'true', 'false', 'null', '[]', '{}', '[1, "a", [true, null], {"k": 0.5}]', '{"it\'s": {"x": [1.5, "y"]}, "b": false}',
               '[[[[[[1]]]]]]']
for text in repr_inputs:
    out["reprs"].append({"json": text, "repr": repr(json.loads(text)), "dumps": json.dumps(json.loads(text))})
# repr(float) for random doubles (raw bit patterns and short decimals): checks .NET's shortest round-trip digits
import random, struct
rng = random.Random(4242)
floats = []
while len(floats) < 3000:
    if len(floats) % 2:
        d = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
    else:
        d = round(rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30), rng.randint(0, 20))
    if d != d or d in (float("inf"), float("-inf")):
        continue
    floats.append([struct.pack("<d", d).hex(), repr(d)])
out["floats"] = floats
json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
print()
