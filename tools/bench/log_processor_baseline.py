#!/usr/bin/env python3
"""The log-processor job in plain Python (stdlib only), as the speed baseline.

The same work as `log-processor --event FILE`: base64 + gzip + json, then one pass over the
events with compiled `re` patterns (error by JSON level / header token, HTTP 5xx by position,
failed logins with user and source), per-source counts, alert decisions and one EMF line.
It is what a careful Python Lambda would do — not a strawman (patterns compiled once, cheap
substring checks before regexes).

    python3 tools/bench/log_processor_baseline.py target/bench/log-processor-event.json
    python3 tools/bench/log_processor_baseline.py target/bench/log-processor-event.json --repeat 30
"""
import base64
import gzip
import json
import re
import sys
import time

ERROR_WORDS = {"error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic", "severe"}
OTHER_WORDS = {"info", "information", "debug", "trace", "warn", "warning", "notice", "verbose", "note"}
LEVEL_KEYS = ("level", "severity", "levelname", "log.level", "loglevel", "log_level", "lvl", "@l")
STATUS_KEYS = ("status", "status_code", "statusCode", "elb_status_code")

HEADER_TOKEN = re.compile(r"[\[<(]?([A-Za-z]+)(?::([A-Za-z]+))?[\]>)]?:?")
LOGFMT_LEVEL = re.compile(r"(?:^|\s)(?:level|lvl|severity)=\"?([A-Za-z]+)")
CLF = re.compile(r'\[\d{2}/\w{3}/\d{4}:[^\]]+\] "(?:[^"\\]|\\.)*" (\d{3}) ')
ALB = re.compile(r"^(?:https?|h2|grpcs|wss?) \S+Z \S+ \S+:\d+ \S+ \S+ \S+ \S+ (\d{3}) ")
FAILED = re.compile(r"Failed (\S+) for (invalid user |illegal user )?(.*?) from (\S+)(?: port (\d+))?")
INVALID = re.compile(r"(?:Invalid|Illegal) user (.*?) from (\S+)")
PAM = re.compile(r"authentication failures?;.*?rhost=(\S*)(?:\s+user=(\S+))?")
OTHER_AUTH = re.compile(
    r"check pass; user unknown|ignoring max retries|maximum authentication attempts exceeded"
    r"|Too many authentication failures|Auth fail|No more user authentication methods"
    r"|not allowed because|ROOT LOGIN REFUSED|Authentication failed from|Kerberos authentication failed"
    r"|Couldn't authenticate user|PAM: Authentication failure|input_userauth_request: invalid user"
    r"|authenticating user"
)
LAMBDA = re.compile(r"Task timed out after|Runtime\.ExitError|Runtime exited with error|Status: (?!success)\w+")


def header_error(line):
    for token in line[:256].split()[:10]:
        m = HEADER_TOKEN.fullmatch(token)
        if not m:
            continue
        for word in (m.group(1), m.group(2)):
            if not word:
                continue
            lw = word.lower()
            marked = word.isupper() or token[0] in "[<(" or token.endswith(":") or m.group(2)
            if lw in ERROR_WORDS and marked:
                return True
            if lw in OTHER_WORDS and (word.isupper() or token[0] in "[<("):
                return False
    return False


def classify(msg):
    error = http5xx = False
    login = None
    if msg.startswith("{"):
        try:
            obj = json.loads(msg)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            for k in LEVEL_KEYS:
                v = obj.get(k)
                if isinstance(v, str):
                    error = v.lower() in ERROR_WORDS
                    break
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    error = 50 <= v < 100
                    break
            for k in STATUS_KEYS:
                v = obj.get(k)
                if isinstance(v, int) and 500 <= v <= 599:
                    http5xx = True
            http = obj.get("http")
            if isinstance(http, dict) and isinstance(http.get("status_code"), int) and 500 <= http["status_code"] <= 599:
                http5xx = True
            return error or http5xx, http5xx, None
    m = CLF.search(msg) or ALB.match(msg)
    if m and m.group(1).startswith("5"):
        http5xx = True
    if LAMBDA.search(msg):
        error = True
    else:
        lf = LOGFMT_LEVEL.search(msg)
        if lf:
            error = lf.group(1).lower() in ERROR_WORDS
        else:
            error = header_error(msg)
    if "Failed " in msg:
        m = FAILED.search(msg)
        if m and m.group(1) != "to":
            login = (m.group(3) or None, m.group(4))
    if login is None and ("nvalid user" in msg or "llegal user" in msg):
        m = INVALID.search(msg)
        if m:
            login = (m.group(1) or None, m.group(2))
    if login is None and "authentication failure" in msg:
        m = PAM.search(msg)
        if m:
            login = (m.group(2), m.group(1) or None)
    if login is None and OTHER_AUTH.search(msg):
        login = (None, None)
    return error or http5xx, http5xx, login


def handle(body):
    """One invocation: the event's bytes in, the EMF line and the response out."""
    event = json.loads(body)
    data = gzip.decompress(base64.b64decode(event["awslogs"]["data"]))
    doc = json.loads(data)
    counts = {"events": 0, "errors": 0, "failed_logins": 0, "http_5xx": 0}
    sources = {}
    samples = []
    for ev in doc.get("logEvents", []):
        msg = ev.get("message", "")
        error, http5xx, login = classify(msg)
        counts["events"] += 1
        if error:
            counts["errors"] += 1
            if len(samples) < 3:
                samples.append(msg[:500])
        if http5xx:
            counts["http_5xx"] += 1
        if login is not None:
            counts["failed_logins"] += 1
            user, source = login
            if source:
                s = sources.setdefault(source, {"count": 0, "users": [], "first": ev["timestamp"], "last": ev["timestamp"]})
                s["count"] += 1
                s["last"] = ev["timestamp"]
                if user and user not in s["users"] and len(s["users"]) < 10:
                    s["users"].append(user)
    offenders = sorted((kv for kv in sources.items() if kv[1]["count"] >= 5), key=lambda kv: -kv[1]["count"])[:10]
    emf = {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": "LogProcessor", "Dimensions": [["LogGroup"]],
            "Metrics": [{"Name": n, "Unit": "Count"} for n in ("Events", "Errors", "FailedLogins", "Http5xx")]}]},
        "LogGroup": doc.get("logGroup", ""),
        "Events": counts["events"], "Errors": counts["errors"],
        "FailedLogins": counts["failed_logins"], "Http5xx": counts["http_5xx"],
    }
    print(json.dumps(emf))
    response = dict(log_group=doc.get("logGroup", ""), log_stream=doc.get("logStream", ""), **counts,
                    alerts_published=int(bool(offenders)) + int(counts["errors"] >= 10))
    print(json.dumps(response))


def main(path):
    started = time.perf_counter()
    with open(path, "rb") as f:
        handle(f.read())
    print(f"python baseline: {time.perf_counter() - started:.3f} s", file=sys.stderr)


def warm(path, invocations):
    """Per-invocation time in one interpreter, as a warm Lambda container runs invocation after
    invocation: the event is read before the clock starts, everything else is timed (the same
    accounting as `log-processor --example warm_invocations`)."""
    times = []
    for _ in range(invocations):
        with open(path, "rb") as f:
            body = f.read()
        started = time.perf_counter()
        handle(body)
        times.append((time.perf_counter() - started) * 1e3)
    rest = sorted(times[1:])
    print(f"python warm invocations: first {times[0]:.2f} ms, then best {rest[0]:.2f} ms, "
          f"median {rest[len(rest) // 2]:.2f} ms ({invocations} invocations)", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    event_path = args[0] if args and not args[0].startswith("--") else "target/bench/log-processor-event.json"
    if "--repeat" in args:
        warm(event_path, max(2, int(args[args.index("--repeat") + 1])))
    else:
        main(event_path)
