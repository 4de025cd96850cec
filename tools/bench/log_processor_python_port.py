#!/usr/bin/env python3
"""The log-processor's whole job, ported faithfully to Python (stdlib only): the speed baseline.

`tools/bench/log_processor_baseline.py` is a lean sketch that gets the kinds of 166 of the
716 hand-labelled lines wrong (at commit 7ccd330); this file is the same job as
`log-processor --event FILE`, rule for rule, written the way a careful engineer would ship it
as a Python Lambda: gzip + json + compiled `re`, one pass over the events.

* decode: base64 → every gzip member (capped at MAX_DECOMPRESSED_BYTES, 64 MiB) → json; direct
  `{"awslogs": …}` events and Kinesis batches (`{"Records": […]}`, with batchItemFailures);
* classify (shared/src/logs/classify.rs): error by JSON level fields, logfmt, header severity
  tokens, klog/syslog PRI headers and Lambda platform lines; HTTP 5xx by column (CLF/combined,
  Envoy, HAProxy, ALB/ELB) or JSON status fields; failed logins of sshd (only where sshd writes
  them), PAM, login/su/sudo, FTP, databases, mail, basic auth, Windows 4625, Keycloak, GitLab,
  MongoDB and JSON audit logs, with user and source; `Failed publickey` of a valid user as a
  pending probe;
* aggregate, alert, redact, metrics (aggregate.rs, alerts.rs, redact.rs, metrics.rs): per-source
  failed-login tracking with caps, probe resolution by `Accepted`, redacted error samples, the
  brute-force and error-burst alert documents with the per-container cooldown (there is no SNS
  client here: alerts are written to stderr, as the Rust binary logs them without
  ALERT_TOPIC_ARN), one EMF line per log group and the response JSON.

The Rust code runs a SIMD literal automaton over every event first (its "gate"), and most events
stop there. Python has no such automaton, so the same decisions are reached the way that is fast
in Python: cheap `in` tests on the lower-cased line rule out a rule family before any regex runs;
JSON logs go through `json.loads` (cheaper than a Python scan of their text) and the exact gate is
consulted only when a JSON rule fires. The answers are the same: `--check-fixtures` checks the
labelled lines the Rust tests check (738 since the level columns of 2026-12-02), and per-line
differential runs against the binary (each line its own log group in a Kinesis batch) agree.

    python3 tools/bench/log_processor_python_port.py target/bench/log-processor-event.json
    python3 tools/bench/log_processor_python_port.py target/bench/log-processor-event.json \
        --repeat 20
    python3 tools/bench/log_processor_python_port.py --check-fixtures [REPO_ROOT]

One invocation prints the EMF line(s) and then the response JSON (last stdout line), alert
documents and the elapsed time on stderr. `--repeat N` runs N warm invocations in one
interpreter (each event read before its clock starts, as the lean baseline's `warm()` does).
Configuration: the Rust function's environment variables (FAILED_LOGIN_THRESHOLD,
ERROR_ALERT_THRESHOLD, ALERT_COOLDOWN_SECONDS, MAX_DECOMPRESSED_BYTES, METRICS_MODE=emf|off,
METRICS_NAMESPACE, AWS_REGION).
"""
import binascii
import ipaddress
import json
import os
import re
import sys
import time
import zlib
from datetime import datetime, timedelta, timezone

MAX_USERS_PER_SOURCE = 10
MAX_ERROR_SAMPLES = 3
MAX_STREAMS = 50
MAX_TRACKED_SOURCES = 100_000
MAX_ALERT_SOURCES = 10
MAX_SUBJECT_CHARS = 100
MAX_SAMPLE_CHARS = 500
REDACT_WINDOW_BYTES = 4096
ALERT_SCHEMA_V1 = "log-processor.alert/v1"

A, S = re.ASCII, re.DOTALL


class _Patterns(dict):
    """Regexes compiled on first use: a batch needs few of the ~50 rare-shape patterns, and
    compiling all of them would cost every cold start (the Rust code uses LazyLock likewise)."""

    def __missing__(self, key):
        pattern, flags = key if isinstance(key, tuple) else (key, 0)
        compiled = self[key] = re.compile(pattern, flags)
        return compiled


_RX = _Patterns()

# ---------------------------------------------------------------------------------------------
# Small helpers. Rust cuts windows in UTF-8 bytes; these keep that for non-ASCII text.


def _utf8(s):
    return s.encode("utf-8", "surrogatepass")


def _blen(s):
    return len(s) if s.isascii() else len(_utf8(s))


def _head(s, n):
    """The longest prefix of `s` of at most `n` UTF-8 bytes, cut on a character boundary."""
    if s.isascii():
        return s[:n]
    b = _utf8(s)
    if len(b) <= n:
        return s
    while b[n] & 0xC0 == 0x80:
        n -= 1
    return b[:n].decode("utf-8", "surrogatepass")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(s):
    # Rust reads unpaired `\ud800` escapes as U+FFFD; json.loads keeps them as lone surrogates,
    # which change no rule's answer and are replaced where text leaves the function.
    return s if s.isascii() else _LONE_SURROGATE.sub("\ufffd", s)


def _write(stream, text):
    stream.write(_no_surrogates(text))


# ---------------------------------------------------------------------------------------------
# Gate literals (classify.rs GATE_LITERALS). Every non-positional rule needs one of them.

_SEV_LITERALS = ("err", "Err", "ERR", "fatal", "Fatal", "FATAL", "crit", "Crit", "CRIT",
                 "alert", "Alert", "ALERT", "emerg", "Emerg", "EMERG", "panic", "Panic", "PANIC",
                 "severe", "Severe", "SEVERE")
_LAMBDA_LITERALS = ("timed out", "exited", "Traceback", "Exception in thread", "Runtime.",
                    "Status: ")
_AUTH_LITERALS = ("Fail", "FAIL", "fail", "nvalid", "llegal user", "REFUSED",
                  "refused connect", "not allowed", "denied", "user unknown", "ignoring max",
                  "not known", "authentication methods", "incorrect password",
                  "authenticating user", "Couldn't authenticate", "Accepted ",
                  "maximum authentication", "ejected", "ConsoleLogin", "not found: ", "mismatch",
                  "was not found in", "unknown user", "attempt for ", "Login incorrect")
# `$date`: MongoDB's structured logs (`{"t":{"$date":…},"s":"E",…}`).
_JSON_LITERALS = ("everity", "platform.", 'log":"', 'log\\":\\"', "PRIORITY", '" 5', "$date")
# A Java stack frame on its own line, as text and JSON-escaped.
_JAVA_FRAME_LITERALS = ("\n\tat ", "\\n\\tat ")
# OpenStack's WSGI access line (`"GET /v2/x HTTP/1.1" status: 500 len: …`).
_WSGI_STATUS = '" status: '
# A Windows event as the CloudWatch agent ships it (XML, or text from the Security channel): a
# flag the Rust gate sets by these first bytes (4771/4776 hold no gate literal).
_WINDOWS_EVENT_PREFIXES = ("<Event ", "[Security] [")
# Auth0's tenant log events (`{"log_id":"…","type":"fp",…}`).
_AUTH0_LOG_ID = "log_id"
# AWS Step Functions' `TaskTimedOut`, `ExecutionTimedOut`, … (its `Failed` events hold `Fail`).
_TIMED_OUT_CAMEL = "TimedOut"


# Where the Rust code tests one literal's bit, this port tests the literal with `in`. The automaton
# reports non-overlapping matches, so the two could differ only on a line where two gate literals
# overlap ("Couldn't authenticating user"); no labelled or fuzzed line does.


def _alternation(words):
    return "|".join(map(re.escape, words))


# Severity includes `eror` (Grafana's `lvl=eror`) everywhere the Rust code tests SEVERITY_BITS.
_SEV_ANY = re.compile(_alternation(_SEV_LITERALS + ("eror",)))
_AUTH_ANY = re.compile(_alternation(_AUTH_LITERALS))
_NON_SEV_ANY = re.compile(_alternation(_LAMBDA_LITERALS + _AUTH_LITERALS + _JSON_LITERALS
                                        + _JAVA_FRAME_LITERALS + (_WSGI_STATUS, _AUTH0_LOG_ID, _TIMED_OUT_CAMEL)))
_ANY_LITERAL = re.compile(_SEV_ANY.pattern + "|" + _NON_SEV_ANY.pattern)
# After a severity literal in a JSON object: the rest of a key name (`{"error":null}`).
_KEY_TAIL = re.compile(r'[A-Za-z0-9_.\-]*\\?":')
# A key (plain or JSON-escaped) and a value starting with 5 or 6, any spacing (`"status" : 503`).
_JSON_NUMBER = re.compile(r'"([^"]*)"[ \t\n\x0c\r]*:(?:[ \t\r\n]|\\[tnr])*(?:\\"|")?([56])')


# Lower-cased stand-ins that cover every literal of a family: a miss rules the family out with a
# few fast substring tests (`or` chains: a generator costs more than the tests); a hit is
# confirmed with the exact literals where it matters.
def _maybe_severity(low):
    return ("err" in low or "fatal" in low or "crit" in low or "alert" in low or "emerg" in low
            or "panic" in low or "severe" in low or "eror" in low)


def _maybe_auth(low):
    return ("fail" in low or "nvalid" in low or "llegal user" in low or "refused" in low
            or "not " in low or "denied" in low or "user unknown" in low or "ignoring max" in low
            or "authenticat" in low or "incorrect password" in low or "accepted " in low
            or "ejected" in low or "consolelogin" in low or "mismatch" in low
            or "unknown user" in low or "attempt for " in low or "login incorrect" in low)


def _sev_any(text):
    return _SEV_ANY.search(text) is not None


def _numeric_sensitive_key(key):
    if key == "@l":
        return True
    k = key.lower()
    return ("status" in k or "level" in k or "lvl" in k or "severity" in k
            or "response_code" in k)


def _json_number_bits(text):
    """1: a level/status-like key whose value starts with 5; 2: with 6 (classify.rs
    numeric_level_or_status), for text that is a JSON object."""
    bits = 0
    for m in _JSON_NUMBER.finditer(text):
        key = m[1]
        if key.endswith("\\"):
            key = key[:-1]
        if _numeric_sensitive_key(key):
            bits |= 1 if m[2] == "5" else 2
    return bits


def _is_json_text(text):
    return text.lstrip(" \t\n\x0c\r")[:1] == "{"


def _gate_any(text):
    """Whether the Rust gate finds anything in `text` (its bits are non-zero)."""
    return (_ANY_LITERAL.search(text) is not None
            or (_is_json_text(text) and _json_number_bits(text) != 0)
            or text.startswith(_WINDOWS_EVENT_PREFIXES))


def _json_gate_settles(msg):
    """The Rust prefilter's verdict on a message starting with `{`: nothing but severity words
    used as key names (`{"error":null,…}`), no other literal, no 5xx/level-5x number → a plain
    event, whatever the fields say."""
    # Cheapest refusal first: it runs for events some JSON rule found positive.
    if not all(_KEY_TAIL.match(msg, m.end()) for m in _SEV_ANY.finditer(msg)):
        return False
    if '"errorType":' in msg or '"errorType\\":' in msg:
        return False  # the key of a Lambda error document counts as a severity word
    return _json_number_bits(msg) == 0 and _NON_SEV_ANY.search(msg) is None


# ---------------------------------------------------------------------------------------------
# Positional rules: headers and access-log status columns.

_KLOG = re.compile(r"[EFIW]\d{4} \d\d:", A)
_PRI = re.compile(r"<(\d{1,3})>", A)


_LOGCAT = re.compile(r"(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (?: *\d+ +\d+ (.) |(?=./))", A | S)
_LOGCAT_PRIORITY = {"E": True, "F": True, "A": True, "V": False, "D": False, "I": False,
                    "W": False}
_CBS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, ([A-Za-z]*)  ", A)


def _klog_or_pri(line):
    """Headers with the severity at a fixed place: klog (`E0523 12:00:00…`), syslog `<PRI>`,
    Android logcat (threadtime, time, brief) and the Windows CBS log. True error, False
    another level, None none."""
    c = line[:1]
    if c == "<":
        m = _PRI.match(line)
        if m and int(m[1]) <= 191:
            return int(m[1]) % 8 <= 3
        return None
    if c and c in "EFIW" and _KLOG.match(line):
        return c in "EF"
    if "0" <= c <= "9":
        m = _LOGCAT.match(line)
        if m:
            return _LOGCAT_PRIORITY.get(m[1]) if m[1] else _logcat_brief(line[m.end():])
        m = _CBS.match(line)
        return _level_word(m[1]) if m else _iso_time_level(line)
    if c == "[":
        return _codebuild_level(line[12:]) if line.startswith("[Container] ") else None
    if line[1:2] == "/":
        return _logcat_brief(line)
    return None


_MONGODB_COMPONENT = re.compile(rb"[A-Z-]*")


def _iso_time_level(line):
    """A short level right after an ISO timestamp: Telegraf and the CloudWatch agent (`E!`,
    `W!`, `I!`, `D!`, `T!`), MongoDB before 4.4 (`2024-05-01T12:00:00.000+0000 E  NETWORK
    [conn1] …`: a one-letter severity, then the component (or `-`) and the `[context]`)."""
    b = line[:300].encode("utf-8", "surrogatepass")
    if len(b) < 11 or not b[:4].isdigit() or b[4:5] != b"-" or b[10:11] != b"T":
        return None
    space = b.find(b" ", 0, 40)
    if space < 0:
        return None
    rest = b[space + 1:]
    if rest[1:3] == b"! " and rest[:1] in (b"E", b"W", b"I", b"D", b"T"):
        return rest[:1] == b"E"
    if rest[:1] in (b"F", b"E", b"W", b"I", b"D") and rest[1:2] == b" ":
        verdict, after = rest[:1] in (b"F", b"E"), rest[2:]
    elif rest[:1] == b"D" and rest[1:2] in (b"1", b"2", b"3", b"4", b"5") and rest[2:3] == b" ":
        verdict, after = False, rest[3:]
    else:
        return None
    after = after.lstrip(b" ")
    component = _MONGODB_COMPONENT.match(after).end()
    after = after[component:]
    spaces = len(after) - len(after.lstrip(b" "))
    return verdict if component > 0 and spaces > 0 and after[spaces:spaces + 1] == b"[" else None


_CODEBUILD_TIME = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.(\d*) ", A)
_CODEBUILD_STATE = re.compile("[^\t\n\x0c\r ]*")


def _codebuild_level(rest):
    """AWS CodeBuild after `[Container] `: `Command did not exit successfully …`, a `Phase
    complete: … State: FAILED|FAULT|TIMED_OUT`, a non-empty `Phase context status code: …`;
    `Running command …` is not an error whatever the command says."""
    m = _CODEBUILD_TIME.match(rest)
    if m is None:
        return None
    message = rest[m.end():]
    if message.startswith("Command did not exit successfully "):
        return True
    if message.startswith("Running command "):
        return False  # the buildspec's command: an `ERROR` in it is not a level
    if message.startswith("Phase context status code: "):
        return message[27:28] not in ("", " ")
    if not message.startswith("Phase complete: "):
        return None
    at = message.find(" State: ", 16)
    if at < 0:
        return None
    return _CODEBUILD_STATE.match(message, at + 8)[0] in ("FAILED", "FAULT", "TIMED_OUT")


def _logcat_brief(line):
    """`E/Tag( 1702): …`: the priority letter, a slash, a tag, then `(` PID `):`."""
    verdict = _LOGCAT_PRIORITY.get(line[:1])
    if verdict is None:
        return None
    head = line.encode()[:128]
    open_at = head.find(b"(")
    close_at = head.find(b")", open_at + 1) if open_at >= 0 else -1
    if close_at < 0:
        return None
    pid = head[open_at + 1:close_at].lstrip(b" \t\n\x0c\r")
    is_pid = pid.isdigit()
    return verdict if open_at > 2 and is_pid and head[close_at + 1:close_at + 2] == b":" else None


# `[` opening a CLF time (`[10/Oct/2000:13:55:36 …`) or an ISO one (`[2026-11-23T04:00:00…`).
_CLF_OPEN = re.compile(r"\[(?=\d./[A-Za-z]../.{4}[: ].{9}|\d{4}-..-..T..:.{6})", A | S)
# The rest of the quoted request (`\"` escapes skipped), then ` STATUS`.
_REQUEST_TAIL = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*" (\d{3})(?![^ \t\r\n])', A | S)
_ENVOY_REQUEST = re.compile(r' "[A-Z]{3,10} ')
_STATUS_FIELD = re.compile(r"(\d{3})(?![^ \t\r\n])", A)
_TIMER = re.compile(r"[+-]?\d+", A)
# ALB (`type time elb client:port target t1 t2 t3 STATUS …`) and Classic ELB (no type word).
_ELB = re.compile(r" *(?:(?:https?|h2|grpcs|wss?) +)?\d{4}-[^ ]{5}T[^ ]{9,} +[^ ]+ +[^ ]*:[^ ]* +"
                  r"(?:[^ ]+ +){4}(\d{3})(?![^ \t\r\n])", A)


def _clf_status(line):
    """Common/combined (nginx, Apache, S3), Envoy and HAProxy: the status after the quoted
    request that follows the time stamp, within the first 512 bytes."""
    end = min(len(line), 512) if line.isascii() else len(_head(line, 512))
    pos = 0
    while True:
        m = _CLF_OPEN.search(line, pos, end)
        if m is None:
            return None
        t = pos = m.end()
        close = line.find("]", t, end)
        if close < 0:
            return None
        after = close + 1
        if line[t + 2] != "/":
            # Envoy: many app logs start with an ISO time in brackets; only a request follows
            # Envoy's.
            if not _ENVOY_REQUEST.match(line, after, end):
                continue
        elif (line[after + 1] if after + 1 < end else "") not in ('"', "\\"):
            if line[t + 11] == " ":
                continue  # Werkzeug/Django: only their request line follows this time stamp
            # Not the quoted request of a common/combined line: HAProxy's timers?
            status = _haproxy_status(line[after:end])
            if status is not None:
                return status
        quote = line.find('"', after, end)
        if quote < 0:
            return None
        m = _REQUEST_TAIL.match(line, quote + 1, end)
        return int(m[1]) if m else None


def _haproxy_status(after):
    """HAProxy `option httplog`: ` FRONTEND BACKEND/SERVER TR/Tw/Tc/Tr/Ta STATUS …`."""
    if after[:1] != " ":
        return None
    fields = after[1:].split(" ", 4)
    if len(fields) < 4:
        return None
    frontend, backend, timers, status = fields[:4]
    parts = timers.split("/")
    if (not frontend or "/" not in backend or not 4 <= len(parts) <= 5
            or not all(_TIMER.fullmatch(p) for p in parts)):
        return None
    m = _STATUS_FIELD.match(status)
    return int(m[1]) if m else None


def _elb_5xx(text):
    m = _ELB.match(text)
    return m is not None and m[1][0] == "5"


# uvicorn (`INFO:     1.2.3.4:5678 - "GET /x HTTP/1.1" 500 Internal Server Error`) and Gin.
_UVICORN = re.compile(r'INFO: +[^ ]+ - "[A-Z]{3,10} [^"]*" (\d{3})(?![^ \t\r\n])', A)
_GIN = re.compile(r"\[GIN\] \d{4}/\d\d/\d\d - \d\d:\d\d:\d\d \| (\d{3})(?![^ \t\r\n])", A)


_HTTP_METHOD = re.compile(r"[A-Z]{3,10} ", A)


def _openstack_wsgi_status(line):
    """classify.rs openstack_wsgi_status: the first `" status: `, the quoted request before it
    (method first, `HTTP/…` last), three digits, then ` len: `."""
    at = line.find(_WSGI_STATUS)
    if at < 0:
        return None
    quote = line.rfind('"', 0, at)
    if quote < 0:
        return None
    request = line[quote + 1:at]
    space = request.rfind(" ")
    if space < 0 or not request[space + 1:].startswith("HTTP/") or not _HTTP_METHOD.match(request):
        return None
    digits = line[at + len(_WSGI_STATUS):at + len(_WSGI_STATUS) + 3]
    if len(digits) != 3 or not (digits.isascii() and digits.isdigit()):
        return None
    if not line.startswith(" len: ", at + len(_WSGI_STATUS) + 3):
        return None
    return int(digits)


def _access_log_status(line):
    status = _clf_status(line) if "[" in line else None
    if status is None:
        m = _ELB.match(line) or _UVICORN.match(line) or _GIN.match(line)
        if m is None and line[:1] == "(":
            m = _API_GATEWAY_STATUS.match(line)
        if m is None and line[:1].isdigit():
            m = _IIS.match(line) or _CLOUDFRONT.match(line)
        if m:
            status = int(m[1])
    return status


# W3C extended logs by position. IIS: `date time [s-sitename s-computername s-ip] cs-method
# cs-uri-stem … sc-status sc-substatus sc-win32-status …` (fixed order; the status is the first
# `NNN N N` after the request). CloudFront's standard log: tab-separated, sc-status is field 9.
_IIS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?:[^ ]* ){0,3}?[A-Z]{3,10} /[^ ]*"
                  r"(?: [^ ]*)*? ([1-5]\d\d) \d+ \d+(?: |\s*$)", A)
_CLOUDFRONT = re.compile(r"\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\t(?:[^\t]*\t){3}[A-Z]{3,10}\t"
                         r"(?:[^\t]*\t){2}(\d{3})(?:\t|$)", A)

# API Gateway (REST API) execution log: `(request id) MESSAGE`.
_API_GATEWAY_STATUS = re.compile(r"\([^)]{0,63}\) Method completed with status: (\d{3})"
                                 r"(?![^ \t\r\n])", A)
_API_GATEWAY_FAILURE = re.compile(r"\([^)]{0,63}\) (?:Execution failed due to |Lambda execution "
                                  r"failed with status )", A)


# ---------------------------------------------------------------------------------------------
# Errors in text lines.

_LEVEL_WORDS = dict.fromkeys(("error", "err", "fatal", "critical", "crit", "alert", "emerg",
                              "emergency", "panic", "severe", "eror"), True)
_LEVEL_WORDS.update(dict.fromkeys(("info", "information", "informational", "inf", "debug", "dbg",
                                   "trace", "warn", "warning", "wrn", "notice", "fine", "finer",
                                   "finest", "config", "verbose", "note", "dbug"), False))


def _level_word(word):
    """True for an error level word, False for another level word, None otherwise (any case)."""
    return _LEVEL_WORDS.get(word.lower()) if len(word) <= 13 else None


_ALPHA = re.compile("[A-Za-z]+")
_UPPER = re.compile("[A-Z]+")
_DOTNET_FAIL = re.compile("fail: [A-Za-z]")
# Python's str.split() also splits at these; Rust's split_ascii_whitespace does not.
_ODD_SPACE = re.compile("[\x0b\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ASCII_TOKEN = re.compile("[^ \t\n\x0c\r]+")
_TOKEN_TRIM = "[]<>(){}\"'|:,;-"


def _logfmt_level(line):
    """logfmt `level=error` (also `lvl=`, `severity=`, `loglevel=`, `log_level=`)."""
    for key in ("level=", "lvl=", "severity="):
        at = line.find(key)
        while at >= 0:
            if at == 0 or line[at - 1] in " \t_" or line.endswith("log", 0, at):
                value = at + len(key)
                m = _ALPHA.match(line, value + 1 if line.startswith('"', value) else value)
                if m:
                    return _level_word(m[0]) is True
            at = line.find(key, at + len(key))
    return None


def _header_severity(line):
    """A severity token among the first 10 tokens (256 bytes) of the line: `ERROR`, `[error]`,
    `[core:error]`, `<error>`, `ERROR:root:`, `prog[pid]: error: …`. The first level-like token
    decides; a bare lower-case word ("an error occurred") is never a level."""
    return _header_level(line) is True


def _header_level(line):
    """True an error level token, False another level token, None no level token."""
    head = line[:256] if line.isascii() else _head(line, 256)
    tokens = (head.split(None, 10)[:10] if _ODD_SPACE.search(head) is None
              else _ASCII_TOKEN.findall(head)[:10])
    for index, raw in enumerate(tokens):
        # Rails/Ruby Logger: `E, [2024-05-01T…] ERROR -- : …`
        if index == 0 and len(raw) == 2 and raw[1] == ",":
            if raw[0] in "EF":
                return True
            if raw[0] in "IWD":
                return False
        # Elasticsearch/OpenSearch `[ts][ERROR][logger]`, Envoy `[ts][15][error][upstream]`.
        if "][" in raw:
            verdict = next((v for v in map(_token_level, _BRACKET_FIELD.findall(raw))
                            if v is not None), None)
        else:
            verdict = _token_level(raw)
        if verdict is not None:
            return verdict
        # Proxifier `host:443 error : Could not connect …`; BGL's most severe level `FAILURE`.
        if ((index + 1 < len(tokens) and tokens[index + 1] == ":" and _level_word(raw))
                or raw == "FAILURE"):
            return True
    return None


# A piece of a token up to and including each `]` (Rust's `split_inclusive(']')`).
_BRACKET_FIELD = re.compile(r"[^\]]*\]|[^\]]+$")
def _upper_level_word(word):
    """The verdict of a level word written in capitals (`ERROR`, `INFO`), else None."""
    return _level_word(word) if _UPPER.fullmatch(word) else None


def _token_level(raw):
    bracketed = raw[0] in "[<(" or raw[-1] in "]>)"
    colon = raw.rstrip("\"'").endswith(":")
    core = raw.strip(_TOKEN_TRIM)
    size = _blen(core)
    if colon and size > 40:
        # RDS/Aurora PostgreSQL `UTC:10.0.12.34(51234):app@orders:[4321]:ERROR:`: the last part.
        last = core.rsplit(":", 1)[-1]
        verdict = _level_word(last)
        if verdict:
            return True
        return False if verdict is False and last.isupper() else None
    if not core or size > 40:
        return None
    # Monolog (Laravel, Symfony): `production.ERROR:`; Celery's worker log: `[…: ERROR/MainProcess]`.
    verdict = None
    if colon and "." in core:
        verdict = _upper_level_word(core.rsplit(".", 1)[1])
    if verdict is None and bracketed and "/" in core:
        verdict = _upper_level_word(core.split("/", 1)[0])
    if verdict is not None:
        return verdict
    # `[core:error]` (Apache 2.4) and `ERROR:root:message` (Python basicConfig).
    first = core.find(":")
    if first >= 0:
        segments = ((core[:first], True), (core[core.rfind(":") + 1:], True))
    else:
        segments = ((core, False),)
    for segment, from_split in segments:
        if not segment:
            continue
        verdict = _level_word(segment)
        if verdict is None:
            continue
        upper = segment.isupper()
        if verdict:
            # Lower-case or capitalised error words count only when marked as a level.
            if upper or bracketed or colon or from_split:
                return True
        elif upper or bracketed:
            return False
    return None


def _report_status_error(line):
    """`REPORT`/`INIT_REPORT` line: its `Status:` is not `success`."""
    at = line.find("Status: ")
    rest = line[at + 8:].split(None, 1) if at >= 0 else None
    return bool(rest) and rest[0].lower() != "success"


def _text_error(line, low):
    verdict = _klog_or_pri(line)
    if verdict is not None:
        return verdict
    # Lambda runtime and platform lines, stack traces (each needle holds a gate literal).
    if ("Task timed out after" in line or "Runtime.ExitError" in line
            or "Runtime exited with error" in line
            or "Process exited before completing request" in line):
        return True
    if (line.startswith(("REPORT RequestId:", "INIT_REPORT "))
            and any(lit in line for lit in _LAMBDA_LITERALS)):
        return _report_status_error(line)
    if "Traceback (most recent call last)" in line or 'Exception in thread "' in line:
        return True
    verdict = _lambda_level_column(line)
    if verdict is not None:
        return verdict
    if line[:1] == "(" and _API_GATEWAY_FAILURE.match(line):
        return True
    # .NET console logger `fail: Category[Id]` and BGL's `FAILURE` count only on a line without
    # severity literals.
    if not _maybe_severity(low):
        return _without_severity_error(line)
    verdict = _logfmt_level(line)
    if verdict is None:
        verdict = _header_level(line)
        if verdict is None:
            verdict = _has_java_frame(line) and _java_stack_trace(line)
    if verdict:
        return _sev_any(line) or _without_severity_error(line)
    return not _sev_any(line) and _without_severity_error(line)


_ISO_DAY_T = re.compile(r"\d{4}-\d\d-\d\dT", A)
_LAMBDA_LEVEL_LABELS = {"fail": True, "trce": False}


def _lambda_level_column(line):
    """Lambda's text format `TIME<TAB>REQUEST_ID<TAB>LEVEL<TAB>…` (Node.js `ERROR`, .NET `fail`)."""
    if not _ISO_DAY_T.match(line):
        return None
    columns = _head(line, 160).split("\t", 3)
    if len(columns) < 4 or not columns[1] or " " in columns[1]:
        return None
    level = columns[2]
    if level in _LAMBDA_LEVEL_LABELS:
        return _LAMBDA_LEVEL_LABELS[level]
    return _level_word(level)


def _without_severity_error(line):
    return (_DOTNET_FAIL.match(line) is not None
            or ("FAIL" in line and _header_severity(line))
            or (_has_java_frame(line) and _header_level(line) is None
                and _java_stack_trace(line)))


def _has_java_frame(line):
    """classify.rs `bits.any(JAVA_FRAME_BITS)`: either frame literal is in the line."""
    return any(literal in line for literal in _JAVA_FRAME_LITERALS)


_JAVA_CLASS = re.compile(r"[A-Za-z0-9._$]*\.[A-Za-z0-9._$]*(?:Exception|Error|Throwable)", A)


def _java_stack_trace(line):
    """A line naming an exception class (`Caused by: ` allowed) before the first `\tat` frame."""
    frame = line.find("\n\tat ")
    if frame < 0:
        return False
    for text in line[:frame].split("\n"):
        if text.startswith("Caused by: "):
            text = text[11:]
        cls = text.split(":", 1)[0].rstrip()
        if _JAVA_CLASS.fullmatch(cls):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Failed logins in text lines.

INPUT_USERAUTH = r"input_userauth_request: (?:invalid|illegal) user (\S*)"
PAM_ERROR = (r"PAM: (?:User not known to the underlying authentication module|[Aa]uthentication "
             r"(?:failure|error|failed)) for (?:(?:illegal|invalid) user )?(.*?) from (\S+)")
MAX_ATTEMPTS = (r"maximum authentication attempts exceeded for (?:(?:invalid|illegal) user )?"
                r"(.*?) from (\S+)")
TOO_MANY_DISCONNECTING = r"Disconnecting (?:invalid|authenticating) user (\S*) (\S+) port \d+"
TOO_MANY_FOR = r"Too many authentication failures for (?:(?:invalid|illegal) user )?(\S+)"
RECEIVED_DISCONNECT = r"Received disconnect from (?:(\S+) port \d+|([^\s:]+)):"
CHANGE_OF_USERNAME = r"Disconnecting (?:invalid |authenticating )?user (\S*) (\S+) port \d+"
NOT_ALLOWED_FROM = r"User (.*?) from (\S+) not allowed because"
NOT_ALLOWED = r"User (\S+) not allowed because"
AUTHENTICATING_USER = (r"(?:Connection (?:closed|reset) by|Disconnected from) "
                       r"(?:authenticating|invalid) user (.*?) (\S+) port \d+")
ROOT_REFUSED = r"ROOT LOGIN REFUSED(?: FROM (\S+))?"
REFUSED_CONNECT = r"refused connect from (\S+)(?: \(([^)\s]+)\))?"
KLOGIND = r"Authentication failed from (\S+)"
POSTGRES = r'password authentication failed for user "([^"]*)"'
RDS_POSTGRES_PREFIX = r"UTC:(?:([0-9A-Fa-f.:]+)\(\d+\)|\[local\]):([^@\s:]*)@"
FREERADIUS_USER = r"\bLogin incorrect\b.*?: \[([^/\]\n]*)[/\]].*\(from client "
FREERADIUS_CLI = r"\(from client \S+ port \d+ cli ([^\s)]+)"
DROPBEAR_BAD_PASSWORD = r"\b[Bb]ad (?:PAM )?password attempt for '([^']*)' from (\S+):\d+\s*$"
DROPBEAR_NO_SUCH_USER = r"\b[Ll]ogin attempt for nonexistent user (?:'([^']*)' )?from (\S+):\d+\s*$"
POSTGRES_CLIENT_FIELD = r"(?:^|[\s,\[])(?:client|host)=([^\s,()\[\]]+)"
MYSQL = r"Access denied for user '([^']*)'@'([^']*)'"
PHPMYADMIN = r"phpMyAdmin\[\d+\]: user denied: (\S+) \([^)]*\) from (\S+)"
LOGIN_FAILED = r"FAILED LOGIN \(?\d+\)? (?:on '?\S+?'? )?(?:FROM '?(\S+?)'? )?FOR '?([^,']+)'?,"
POLKIT_OWNER = r"\(owned by unix-user:([^)\s]+)\)"
OPENSEARCH_USER = r'"audit_request_effective_user":"([^"]*)"'
OPENSEARCH_ADDRESS = r'"audit_request_remote_address":"([^"]*)"'
EXIM_AUTHENTICATOR = r"authenticator failed for (?:\S+ )?\(\S*\) \[([0-9A-Fa-f.:]+)\]"
EXIM_SET_ID = r"\(set_id=([^)\s]+)\)"
SU_FAILED = r"FAILED (?:SU \(to (\S+)\)|su for (\S+))"
SUDO = r"sudo(?:\[\d+\])?:\s+(\S+) : \d+ incorrect password attempts?"
CHKPWD = r"password check failed for user \(([^)]*)\)"
DOVECOT_USER = r"user=<([^>]*)>"
DOVECOT_RIP = r"rip=([^,\s]+)"
VSFTPD = r'(?:\[(\S+)\] )?FAIL LOGIN: Client "([^"]*)"'
APACHE_BASIC = (r'\[client ([^\]\s]+)\] (?:AH0161[78]: )?user (.+?)'
                r'(?:: authentication failure for "| not found: )')
NGINX_BASIC = (r'\*\d+ user "([^"]*)"(?:: password mismatch| was not found in "[^"]*"), '
               r"client: ([^,\s]+)")
FAILLOCK = r"Consecutive login failures for user (\S+)"
SASL = r"\[([0-9A-Fa-f.:]+)\]: SASL (?:\S+ )?authentication failed"
SENDMAIL_AUTH = r"\bAUTH failure \([^)\s]*\): .*?SASL\(-13\): .*?, user=(.*), relay="
SENDMAIL_RELAY = r"\[([0-9A-Fa-f.:]+)\](?: \(may be forged\))?\s*$"
CYRUS_BADLOGIN = (r": badlogin: [^\[]*\[([0-9A-Fa-f.:]+)\] (?:plaintext ([^\s\[]+) |[A-Za-z0-9-]+ \[)"
                  r"SASL\(-13\)")
PROFTPD = r"\(\S*\[([^\]\s]+)\]\)[: -]+USER (\S+?):? \(Login failed\)"
GITLAB = r"Failed Login: username=(\S+) ip=(\S+)"
GITEA = r"Failed authentication attempt for (.+?) from (\S+)"
RABBITMQ = r"(?:login refused|access denied): user '([^']*)' - invalid credentials"
RABBITMQ_PEER = r"connection <[^>]*> \(([0-9A-Fa-f.:]+):\d+ -> "
ACTIVEMQ = r"User name \[([^\]]*)\] or password is invalid"
ACTIVEMQ_PEER = r"connection to: [a-z+]+://([0-9A-Fa-f.:]+):\d+,"
KEYCLOAK_USER = r'[ ,]username="?([^",\s]+)'
KEYCLOAK_IP = r'[ ,]ipAddress="?([^",\s]+)'
WINDOWS_XML_EVENT_ID = r"<EventID(?:\s[^>]*)?>(\d{1,5})</EventID>"
WINDOWS_XML_STATUS = r"""<Data Name=['"]Status['"]>([^<]*)</Data>"""
WINDOWS_XML_WORKSTATION = r"""<Data Name=['"]Workstation['"]>([^<]*)</Data>"""
WINDOWS_TEXT_4771_USER = r"(?s)Account Information:.*?Account Name:[ \t]*([^\r\n\t]*)"
WINDOWS_TEXT_4771_IP = r"Client Address:[ \t]*([^\s]*)"
WINDOWS_TEXT_4776_USER = r"Logon Account:[ \t]*([^\r\n\t]*)"
WINDOWS_TEXT_4776_HOST = r"Source Workstation:[ \t]*([^\r\n\t]*)"
WINDOWS_TEXT_4776_STATUS = r"Error Code:[ \t]*(0[xX][0-9A-Fa-f]+)"
WINDOWS_XML_USER = r"""<Data Name=['"]TargetUserName['"]>([^<]*)</Data>"""
WINDOWS_XML_IP = r"""<Data Name=['"]IpAddress['"]>([^<]*)</Data>"""
WINDOWS_TEXT_USER = r"(?s)Account For Which Logon Failed:.*?Account Name:[ \t]*([^\r\n\t]*)"
WINDOWS_TEXT_IP = r"Source Network Address:[ \t]*([^\s]*)"
MSSQL = r"Login failed for user '([^']*)'(?:.*\[CLIENT: ([0-9A-Fa-f.:]+)\])?"
AUTH_FAILED_FOR_USER = r'[Aa]uthentication failed for user \[?"?([^\]"\s]*)'
OPENVPN_PAM = r"AUTH-PAM: BACKGROUND: user '([^']*)' failed to authenticate"
SAMBA_NTLM = (r"check_ntlm_password: +Authentication for user \[([^\]]*)\] -> \[[^\]]*\] FAILED "
              r"with error NT_STATUS_")
WEBMIN = r"\bInvalid login as (\S+) from (\S+)"
ASTERISK_SIP = (r"Registration from '[^']*' failed for '([^']+)' - (?:Wrong password"
                r"|No matching peer found|Username/auth name mismatch|Not a local domain"
                r"|Peer is not supposed to register|Device does not match ACL)")
ASTERISK_SIP_USER = r"<sips?:([^@>;]+)@"
PUREFTPD_SOURCE = r"\([^@()\s]*@([^)\s]+)\)"
OPENVPN = r"(\S+) TLS Auth Error: Auth Username/Password verification failed"
DOVECOT_PASSDB = (r"\b[a-z-]{3,15}\(([^(),]*),([0-9A-Fa-f.:]+)(?:,[^()]*)?\): "
                  r"(?:pam_authenticate\(\) failed|invalid credentials|[Pp]assword mismatch"
                  r"|unknown user)")
PAM_SSS_RECEIVED = (r"pam_sss\([^)]*\): received for user (\S+?): \d+ \((?:Authentication failure"
                    r"|User not known to the underlying authentication module)\)")
AUTH_FAILED_FROM = r"[Aa]uthentication failed for user \S+ from ([^ \t,;()\[\]]+)"
APP_LOGIN_FAILED = (r"(?i:\b(?:(?:log[io]n|sign[- ]?in)(?: attempt)? fail(?:ed|ure)|failed (?:log[io]n|sign[- ]?in)"
                    r"(?: attempt)?|invalid (?:user ?name or password|credentials"
                    r"|log[io]n(?: attempt)?)))(?:: ('[^']*'|[^ \t'\",;:()\[\]]+) \(Remote IP: "
                    r"|[ \t]*(?:$|[\r\n:.,;!(\"'-])|[ \t]+user(?:name)?="
                    r"| for (?:(?i:user|account):? )?('[^']*'|\"[^\"]*\"|[^ \t'\",;:()\[\]]+)"
                    r"(?: from ([^ \t,;()\[\]]+))?| from ([^ \t,;()\[\]]+))", A)
_APP_LOGIN_HINTS = ("login", "logon", "sign", "credentials", "password")

_SSHD_METHODS = frozenset(("password", "publickey", "keyboard-interactive",
                           "keyboard-interactive/pam", "hostbased", "none", "gssapi-with-mic",
                           "gssapi-keyex", "gssapi", "unknown"))
_APP_METHODS = frozenset(("login", "logon", "authentication", "auth"))
# How sshd's failed-authentication messages start (after `error: ` etc.).
_SSHD_SHAPES = ("Failed ", "Invalid user ", "Illegal user ", "input_userauth_request: ",
                "Disconnecting", "Received disconnect from ",
                "maximum authentication attempts exceeded", "Too many authentication failures",
                "PAM: ", "User ", "Connection closed by ", "Connection reset by ",
                "Disconnected from ")
_SSHD_TAGS = ("sshd[", "sshd-session[", "sshd: ", "sshd]")
_SOLARIS_MSGID = re.compile(r"\[ID \d+ [^ \]]+\] ", A)
_HOST = re.compile(r"[A-Za-z0-9.:\-_%]+")
_DIGITS = re.compile(r"\d*", A)
_WS = re.compile(r"\s")
_ASCII_WS = " \t\n\x0c\r"


def _clean(s):
    """Trims the punctuation loggers put around users and addresses; empty → None."""
    s = s.strip().rstrip(":,;.")
    if s == "(null)":
        return None  # glibc's printf of a null string (login's remote host of a console failure)
    s = s.strip("'\"<>()")
    if s[:1] == "[" and s[-1:] == "]":
        s = s[1:-1]
    return None if s in ("", "-", "UNKNOWN") else s


def _cap(m, i):
    v = m.group(i) if m else None
    return None if v is None else _clean(v)


def _login(user, source):
    return (user, source, None)


def _looks_like_host(s):
    """An IP address or a host name as sshd logs it (not "form" or "customer")."""
    return (len(s) <= 255 and ("." in s or ":" in s)) and _HOST.fullmatch(s) is not None


def _failed_method(line, sshd):
    """`Failed <method> for [invalid user ]USER from SOURCE[ port N]`, by hand: by far the most
    frequent auth line in a brute force."""
    rest = line[line.find("Failed ") + 7:]
    method, sep, rest = rest.partition(" for ")
    if not sep:
        return None
    lower = method.lower() if method.isascii() else ""
    # "Failed payment for order 1 from customer 2" is not an authentication; sshd's method
    # names count only in an sshd message, an app's `Failed login for …` anywhere.
    if not (lower in _APP_METHODS or (sshd and lower in _SSHD_METHODS)):
        return None
    invalid = rest.startswith(("invalid user ", "illegal user "))
    if invalid:
        rest = rest[13:]
    split = _split_user_from(rest)
    if split is None:
        return None
    user, rest = split
    words = rest.split(" ", 3)
    source = _clean(words[0])
    if source is None or not _looks_like_host(source):
        return None
    port = ""
    if len(words) > 2 and words[1] == "port" and words[2].isascii() and words[2].isdigit():
        port = words[2]
    probe = (source, port) if method == "publickey" and not invalid else None
    return (_clean(user), source, probe)


def _split_user_from(rest):
    """(user, text after ` from `) at the ` from ` sshd wrote: the first whose host is followed
    only by ` port N`, ` sshN`, then the end, ` [preauth]` or `: ` (a client-chosen user name
    may hold ` from HOST` itself); else at the first ` from `. None without one."""
    candidates = [("", rest[5:])] if rest.startswith("from ") else []
    at = rest.find(" from ")
    while at >= 0:
        candidates.append((rest[:at], rest[at + 6:]))
        at = rest.find(" from ", at + 6)
    for user, after in candidates:
        if _ends_like_sshd_source(after):
            return user, after
    return candidates[0] if candidates else None


def _ends_like_sshd_source(after):
    """`HOST[ port N][ sshN]` then the end, ` [preauth]` or `: …`."""
    host, space, tail = after.partition(" ")
    if not _looks_like_host(host):
        return False
    tail = space + tail
    if tail.startswith(" port "):
        digits = _DIGITS.match(tail, 6).end() - 6
        if digits == 0:
            return False
        tail = tail[6 + digits:]
    if tail.startswith(" ssh"):
        tail = tail[_DIGITS.match(tail, 4).end():]
    tail = tail.rstrip(" \t\n\r\x0c")
    return tail == "" or tail == " [preauth]" or tail.startswith(": ")


def _invalid_user(line):
    """`Invalid user USER from SOURCE[ port N]` / `Illegal user …`, by hand."""
    at = line.find("Invalid user ")
    if at < 0:
        at = line.find("Illegal user ")
    rest = line[at + 13:]
    split = _split_user_from(rest)
    if split is not None:
        user, source = split
    else:
        user, source = rest.split(" ", 1)[0], None
    if source is not None:
        source = _clean(source.split(" ", 1)[0])
    if source is not None:
        if not _looks_like_host(source):
            return None
    elif "sshd" not in line:  # `Invalid user x` without an address: only sshd says that
        return None
    return _login(_clean(user), source)


def _sshd_message(line):
    """The message of an sshd line: after the program tag (`sshd[PID]: `, `sshd-session[PID]: `,
    `sshd: `, `[sshd]: `) and a Solaris `[ID N facility.level] ` when the line's header has a
    tag, else the whole line; without `message repeated N times: [ ` and `error: `/`fatal: `.
    None when the tag is only found past the header."""
    msg = line.lstrip()
    head = line[:173] if line.isascii() else _head(line, 173)
    at, tag = head.find("sshd"), None
    while at >= 0 and tag is None:
        tag = next((t for t in _SSHD_TAGS if head.startswith(t, at)), None)
        if tag is None:
            at = head.find("sshd", at + 4)
    if tag is not None:
        before = "[" if tag == "sshd]" else " /"
        if (_blen(head[:at]) > 160) or not (at == 0 or line[at - 1] in before):
            return None
        rest = at + len(tag)
        if tag == "sshd]":
            if line.startswith(": ", rest):
                rest += 2
            elif line.startswith(" ", rest):
                rest += 1
            else:
                return None
        elif tag[-1] == "[":
            rest = _DIGITS.match(line, rest).end()
            if not line.startswith("]: ", rest):
                return None
            rest += 3
        msgid = _SOLARIS_MSGID.match(line, rest)
        msg = line[msgid.end() if msgid else rest:]
    else:
        rfc5424 = _rfc5424_sshd_message(line)
        if rfc5424 is not None:
            msg = rfc5424
    if msg.startswith("message repeated "):
        count, sep, rest = msg[17:].partition(" times: [ ")
        if not sep or not (count == "" or (count.isascii() and count.isdigit())):
            return None
        msg = rest
    return msg[7:] if msg.startswith(("error: ", "fatal: ")) else msg


def _rfc5424_sshd_message(line):
    """RFC 5424 `<PRI>1 TIME HOST sshd PROCID MSGID - MSG`: the MSG of an sshd line."""
    if line[:1] != "<":
        return None
    pri, sep, rest = line[1:].partition(">1 ")
    if not sep or not 1 <= len(pri) <= 3 or not (pri.isascii() and pri.isdigit()):
        return None
    fields = rest.split(" ", 5)
    if len(fields) < 6 or fields[2] not in ("sshd", "sshd-session"):
        return None
    return _without_structured_data(fields[5])


def _without_structured_data(sd_and_msg):
    """The MSG after RFC 5424 STRUCTURED-DATA: `- MSG`, or `[id k="v"]…[…] MSG` (a `]` inside a
    quoted value does not close its element; `\\"` does not end the value)."""
    if sd_and_msg.startswith("- "):
        return sd_and_msg[2:]
    i, n = 0, len(sd_and_msg)
    while i < n and sd_and_msg[i] == "[":
        quoted = False
        i += 1
        while True:
            if i >= n:
                return None
            c = sd_and_msg[i]
            if c == "\\" and quoted:
                i += 1
            elif c == '"':
                quoted = not quoted
            elif c == "]" and not quoted:
                break
            i += 1
        i += 1
    if i == 0 or not sd_and_msg.startswith(" ", i):
        return None
    return sd_and_msg[i + 1:]


def _pam_field(line, key):
    """`key=VALUE` of a PAM line (`rhost=`, `user=`; not `ruser=`)."""
    at = line.find(key)
    while at >= 0:
        if at == 0 or line[at - 1] in _ASCII_WS:
            value = at + len(key)
            if line[value:value + 1] in ("", " ", "\t", "\n", "\x0c", "\r"):
                return None  # `rhost= user=x`: an empty value
            return _clean(_ASCII_TOKEN.match(line, value)[0])
        at = line.find(key, at + len(key))
    return None


def _received_disconnect_source(line):
    m = _RX[RECEIVED_DISCONNECT].search(line)
    return (_cap(m, 1) or _cap(m, 2)) if m else None


_AUDIT_AUTH_RECORDS = ("type=USER_AUTH ", "type=USER_LOGIN ", "type=1100 ", "type=1112 ",
                       "]: USER_AUTH ", "]: USER_LOGIN ")


def _auditd_login_failure(line):
    """The Linux audit log: a USER_AUTH or USER_LOGIN record with `res=failed`; user `acct`
    (quoted, or hex), client `addr`, else `hostname`."""
    if not any(r in line for r in _AUDIT_AUTH_RECORDS):
        return None
    if not (" res=failed'" in line or line.rstrip().endswith(" res=failed")):
        return None
    known = lambda v: v if v is not None and v not in ("?", "unknown") else None  # noqa: E731
    acct = _pam_field(line, "acct=")
    if acct is not None and ' acct="' not in line:
        acct = _audit_hex(acct) or acct
    source = known(_pam_field(line, "addr=")) or known(_pam_field(line, "hostname="))
    return _login(known(acct), source)


def _audit_hex(value):
    """A field the kernel wrote in hex (`6A6F686E20646F65` is `john doe`); None otherwise."""
    if len(value) < 2 or len(value) % 2 or not all(c in "0123456789abcdefABCDEF" for c in value):
        return None
    try:
        return bytes.fromhex(value).decode("utf-8")
    except ValueError:
        return None


def _freeradius_failure(line):
    """FreeRADIUS `Login incorrect[ (reason)]: [U[/password]] (from client NAS port N[ cli C])`:
    user U; client the Calling-Station-Id when it is an IP address (the NAS is not the client).
    `(Home Server failed to respond)` is a proxy outage, not a refused login."""
    if "Login incorrect (Home Server failed to respond)" in line:
        return None
    m = _RX[FREERADIUS_USER].search(line)
    if m is None:
        return None
    cli = _RX[FREERADIUS_CLI].search(line)
    source = cli[1] if cli else None
    if source is not None and (not source.isascii() or "%" in source):
        source = None
    if source is not None:
        try:
            ipaddress.ip_address(source)
        except ValueError:
            source = None
    return _login(_clean(m[1]), source)


def _sendmail_auth_failure(line):
    """Sendmail's `AUTH failure (MECH): … SASL(-13): …, user=U, relay=… [IP]`: the client from
    the last `relay=` (written after the user, so a user name cannot forge it)."""
    m = _RX[SENDMAIL_AUTH].search(line)
    if m is None:
        return None
    relay = line[line.rfind(", relay=") + len(", relay="):]
    return _login(_cap(m, 1), _cap(_RX[SENDMAIL_RELAY].search(relay), 1))


_FAILURE_FOR_PHRASES = ("Authentication failure for ", "Authentication attempt for unknown user")
_FIRST_WORD = re.compile("[ \t\n\x0c\r]*([^ \t\n\x0c\r]*)")


def _authentication_failure_for(line):
    """wp-fail2ban's `Authentication failure for U from IP` / `Authentication attempt for unknown
    user U from IP` (optionally ` via XML-RPC`): the user is everything before the last ` from
    HOST`; without one, the first word after the phrase."""
    rest = None
    for phrase in _FAILURE_FOR_PHRASES:
        at = line.find(phrase)
        if at >= 0:
            rest = line[at + len(phrase):]
            break
    if rest is None:
        return None
    rest = rest.lstrip(" :").rstrip(" \t\n\x0c\r")
    if rest.endswith(" via XML-RPC"):
        rest = rest[:-len(" via XML-RPC")]
    user, sep, source = rest.rpartition(" from ")
    if sep and _looks_like_host(source):
        return _login(_clean(_without_user_word(user)), _clean(source))
    word = _FIRST_WORD.match(_without_user_word(rest))[1]
    return _login(_clean(word) if word else None, None)


def _without_user_word(u):
    """`user bob` → `bob` (a leading `user ` is a word, not the name); `user` stays."""
    for word in ("user ", "User "):
        if u.startswith(word) and len(u) > len(word):
            return u[len(word):]
    return u


def _dropbear_failure(line):
    """Dropbear's `Bad password attempt for 'U' from IP:PORT` and `Login attempt for nonexistent
    user from IP:PORT` (the port always follows; IPv6: the part before the last colon)."""
    if "password attempt for '" in line:
        m = _RX[DROPBEAR_BAD_PASSWORD].search(line)
    elif "ogin attempt for nonexistent user " in line:
        m = _RX[DROPBEAR_NO_SUCH_USER].search(line)
    else:
        return None
    return _login(_cap(m, 1), _cap(m, 2)) if m else None


def _failed_login_text(line):
    """sshd (incl. OpenSSH ≥ 9.8 `sshd-session`), PAM, login/su/sudo, klogind, FTP, databases,
    mail, Windows, web basic auth. The order is the Rust code's; each shape is tried only when
    its literal is in the line."""
    msg = _sshd_message(line)
    sshd = msg is not None and msg.startswith(_SSHD_SHAPES)
    rx = _RX
    if line.startswith(_WINDOWS_EVENT_PREFIXES):
        found = _windows_logon_failure(line)
        if found:
            return found
    if "Failed " in line:
        found = _failed_method(line, sshd)
        if found:
            return found
        found = _kafka_auth_failure(line)
        if found:
            return found
        if "Failed Login: username=" in line:  # GitLab's auth log
            m = rx[GITLAB].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
        if "Failed authentication attempt for " in line:  # Gitea/Forgejo
            m = rx[GITEA].search(line)
            if m:
                return _login(_cap(m, 1), _clean(_without_port(m[2].rstrip(":"))))
    if "attempt for " in line:
        found = _dropbear_failure(line)
        if found:
            return found
        if "Authentication attempt for unknown user" in line:
            return _authentication_failure_for(line)
    if "Login incorrect" in line:
        found = _freeradius_failure(line)
        if found:
            return found
    if sshd and ("nvalid" in line or "llegal user" in line):
        if "input_userauth_request: " in line:
            m = rx[INPUT_USERAUTH].search(line)
            if m:
                return _login(_cap(m, 1), None)
        if "Too many authentication failures" in line or "Change of username" in line:
            m = rx[TOO_MANY_DISCONNECTING].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
        if " invalid user " in line:
            m = rx[AUTHENTICATING_USER].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
        if "Invalid user " in line or "Illegal user " in line:
            found = _invalid_user(line)
            if found:
                return found
    if "fail" in line:
        if ("authentication failure;" in line or "authentication failures;" in line
                or "): Authentication failure; user=" in line):  # pam_ldap: capitalised
            return _login(_pam_field(line, "user="), _pam_field(line, "rhost="))
        if " res=failed" in line:
            found = _auditd_login_failure(line)
            if found is not None:
                return found
        if sshd and "Too many authentication failures" in line:
            m = rx[TOO_MANY_DISCONNECTING].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
            m = rx[TOO_MANY_FOR].search(line)
            if m:
                return _login(_cap(m, 1), None)
            return _login(None, _received_disconnect_source(line))
        if sshd and "Received disconnect from " in line and "Auth fail" in line:
            return _login(None, _received_disconnect_source(line))
        if "Authentication failed from " in line:
            return _login(None, _cap(rx[KLOGIND].search(line), 1))
        if "Kerberos authentication failed" in line:
            return _login(None, None)
        if "password authentication failed for user" in line:
            user = _cap(rx[POSTGRES].search(line), 1)
            # RDS/Aurora `%t:%r:%u@%d:[%p]:` prefix: client address and user.
            prefix = rx[RDS_POSTGRES_PREFIX].search(line) if "UTC:" in line else None
            source = _cap(prefix, 1)
            if source is None:  # `client=%h` / `host=%h` (pgBadger's suggested prefix)
                source = _cap(rx[POSTGRES_CLIENT_FIELD].search(line), 1)
                source = source if source is not None and _looks_like_host(source) else None
            return _login(user or _cap(prefix, 2), source)
        if "password check failed for user" in line:
            return _login(_cap(rx[CHKPWD].search(line), 1), None)
        if "(auth failed, " in line:
            return _login(_cap(rx[DOVECOT_USER].search(line), 1),
                          _cap(rx[DOVECOT_RIP].search(line), 1))
        found = _database_or_vpn_login(line)
        if found:
            return found
    if ("PAM: " in line and sshd
            and ("not known" in line or "fail" in line or _sev_any(line))):
        m = rx[PAM_ERROR].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "check pass; user unknown" in line or "ignoring max retries" in line:
        return _login(None, None)
    if "): User not known to the underlying authentication module; user=" in line:  # pam_ldap
        return _login(_pam_field(line, "user="), None)
    if sshd and "maximum authentication attempts exceeded" in line:
        m = rx[MAX_ATTEMPTS].search(line)
        return _login(_cap(m, 1), _cap(m, 2))
    if (sshd and "Received disconnect from " in line
            and ("No more user authentication methods" in line
                 or "No supported authentication methods" in line
                 or "No authentication methods available" in line)):
        return _login(None, _received_disconnect_source(line))
    if sshd and "not allowed" in line:
        if "Change of username or service not allowed" in line:
            m = rx[CHANGE_OF_USERNAME].search(line)
            return _login(_cap(m, 1), _cap(m, 2))
        if " not allowed because " in line:
            m = rx[NOT_ALLOWED_FROM].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
            m = rx[NOT_ALLOWED].search(line)
            if m:
                return _login(_cap(m, 1), None)
    if sshd and "authenticating user" in line:
        m = rx[AUTHENTICATING_USER].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "ROOT LOGIN REFUSED" in line:
        return _login("root", _cap(rx[ROOT_REFUSED].search(line), 1))
    if "refused connect" in line:
        m = rx[REFUSED_CONNECT].search(line)
        if m:
            return _login(None, _cap(m, 2) or _cap(m, 1))
    if "Couldn't authenticate user" in line:
        return _login(None, None)
    if "Access denied for user '" in line:
        m = rx[MYSQL].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "user denied: " in line:  # phpMyAdmin's syslog auth log
        m = rx[PHPMYADMIN].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "FAIL" in line:
        if "check_ntlm_password:" in line:  # Samba
            m = rx[SAMBA_NTLM].search(line)
            if m:
                return _login(_cap(m, 1), None)
        if "FAILED LOGIN" in line:
            m = rx[LOGIN_FAILED].search(line)
            return _login(_cap(m, 2), _cap(m, 1))
        if "FAILED SU" in line or "FAILED su for" in line:
            m = rx[SU_FAILED].search(line)
            if m:
                return _login(_cap(m, 1) or _cap(m, 2), None)
        if ",FAILED_CONNECT," in line:
            login = _audit_plugin_failed_connect(line)
            if login is not None:
                return login
        login = _transfer_legacy_auth_failure(line)
        if login is not None:
            return login
        if '"audit_category":"FAILED_LOGIN"' in line:  # OpenSearch's own audit log file
            return _login(_cap(rx[OPENSEARCH_USER].search(line), 1),
                          _cap(rx[OPENSEARCH_ADDRESS].search(line), 1))
        if "FAILED to authenticate" in line:  # polkit
            return _login(_cap(rx[POLKIT_OWNER].search(line), 1), None)
        if "FAIL LOGIN: Client" in line:
            m = rx[VSFTPD].search(line)
            if m:
                return _login(_cap(m, 1), _cap(m, 2))
    if "incorrect password" in line:
        m = rx[SUDO].search(line)
        if m:
            return _login(_cap(m, 1), None)
    return _web_or_mail_login(line) or _app_login_failure(line)


def _audit_plugin_failed_connect(line):
    """The MariaDB/MySQL audit plugin's `TS,SERVERHOST,USER,HOST,CONNID,QUERYID,FAILED_CONNECT,…`
    (RDS for MySQL/MariaDB), its fields read backwards from the operation."""
    fields = line[:line.index(",FAILED_CONNECT,")].split(",")
    if len(fields) < 4:
        return None
    user, host, connection_id, query_id = fields[-4:]
    if not (_numeric(query_id) and _numeric(connection_id)):
        return None
    return _login(_clean(user), _clean(_without_port(host)))


def _transfer_legacy_auth_failure(line):
    """AWS Transfer Family's legacy text log: `ERRORS AUTH_FAILURE Method=… User=U Message="…"
    SourceIP=IP`; `SourceIP` read from the end (a tried user name cannot name another client)."""
    at = line.find("ERRORS AUTH_FAILURE ")
    if at < 0 or (at > 0 and line[at - 1] not in _ASCII_WS):
        return None
    fields = line[at + len("ERRORS AUTH_FAILURE "):]
    i = fields.rfind(" SourceIP=")
    m = _ASCII_TOKEN.match(fields, i + len(" SourceIP=")) if i >= 0 else None
    return _login(_pam_field(fields, "User="), _clean(m.group(0)) if m else None)


def _numeric(field):
    return field != "" and field.isascii() and field.isdigit()


def _app_login_failure(line):
    """An application's own words: `Login failed[ for [user ]U][ from IP]`, `Failed login
    attempt`, `Sign-in failed`, `Invalid username or password`, `Invalid credentials`; the phrase
    must end there, and a number right before it makes it a summary."""
    if not ("fail" in line or "Fail" in line or "FAIL" in line or "nvalid" in line):
        return None
    low = line.lower()
    if not any(h in low for h in _APP_LOGIN_HINTS):
        return None
    # Grafana ≥ 10 names a failed form or basic-auth login by its error id.
    if "[password-auth.failed]" in line:
        return _login(None, _logfmt_source(line))
    if "Invalid login as " in line:  # Webmin
        m = _RX[WEBMIN].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    for m in _RX[APP_LOGIN_FAILED].finditer(line):
        words = line[:m.start()].rstrip().replace("\t", " ").rsplit(" ", 1)
        last = words[-1]
        if last and last.isascii() and last.isdigit():
            continue
        source = _cap(m, 3) or _cap(m, 4)
        if source is not None and not _looks_like_host(source):
            source = None
        if source is None:
            source = _logfmt_source(line) or _trailing_ip(line)
        return _login(_cap(m, 1) or _cap(m, 2) or _logfmt_user(line)
                      or _user_before_phrase(line[:m.start()]), source)
    return None


def _user_before_phrase(before):
    """`user bob login failed`: the name right before the phrase, after `user` or `account`."""
    words = before.rstrip(" \t\n\x0c\r").replace("\t", " ").split(" ")
    if len(words) >= 2 and words[-2].lower() in ("user", "account") and words[-2].isascii():
        return _clean(words[-1])
    return None


def _logfmt_user(line):
    """The user of a logfmt-style line when the phrase names none (`user=bob`)."""
    for key in ("user=", "username="):
        value = _pam_field(line, key)
        if value is not None:
            return value
    return None


def _logfmt_source(line):
    """The client of a logfmt line (Grafana's `remote_addr=203.0.113.9`)."""
    for key in ("remote_addr=", "remote_ip=", "client_ip=", "src_ip=", "ip="):
        value = _pam_field(line, key)
        if value is not None:
            return value if _looks_like_host(value) else None
    return None


def _trailing_ip(line):
    """An IP address literal that ends the line (Bitwarden's `Failed login attempt. IP`)."""
    last = line.rstrip(" \t\n\r\x0c").replace("\t", " ").rsplit(" ", 1)[-1]
    last = last.rsplit("=[", 1)[-1]  # UW-IMAP's `host=[IP]`
    last = last.rstrip(".,;)]").lstrip("([")
    if not last.isascii() or "%" in last:
        return None
    try:
        ipaddress.ip_address(last)
    except ValueError:
        return None
    return last


def _mongodb_text_auth_failure(line):
    """MongoDB's text log before 4.4: `… authentication failed for USER on DB from client
    IP:PORT ; REASON`."""
    rest = line[line.index(" authentication failed for ") + 27:]
    user, sep, rest = rest.partition(" ")
    if not sep or not rest.startswith("on "):
        return None
    at = rest.find(" from client ")
    if at < 0:
        return None
    client = re.split("[ ;]", rest[at + 13:], maxsplit=1)[0]
    return _login(_clean(user), _clean(_without_port(client)))


def _kafka_auth_failure(line):
    """Kafka's (Amazon MSK's) `Failed authentication with /IP (…) (Authentication failed …)`;
    `(SSL handshake failed)` and other reasons are not refused logins."""
    at = line.find("Failed authentication with ")
    if at < 0:
        return None
    rest = line[at + 27:]
    if "(Authentication failed" not in rest:
        return None
    return _login(None, _clean(rest.split(" ", 1)[0].rpartition("/")[2]))


def _database_or_vpn_login(line):
    """SQL Server `Login failed for user 'U'. … [CLIENT: IP]`, `Authentication failed for user
    [U]` (pure-ftpd's `(?@IP)` source), OpenVPN's `IP:PORT TLS Auth Error: Auth …failed`."""
    rx = _RX
    if "Login failed for user '" in line:
        m = rx[MSSQL].search(line)
        return _login(_cap(m, 1), _cap(m, 2)) if m else None
    if " authentication failed for " in line and " from client " in line:  # MongoDB < 4.4
        found = _mongodb_text_auth_failure(line)
        if found:
            return found
    if "Authentication failed for user " in line or "authentication failed for user " in line:
        source = _cap(rx[PUREFTPD_SOURCE].search(line), 1)
        if source is None:
            source = _cap(rx[AUTH_FAILED_FROM].search(line), 1)
            if source is not None and not _looks_like_host(source):
                source = None
        return _login(_cap(rx[AUTH_FAILED_FOR_USER].search(line), 1), source)
    if "AUTH-PAM: BACKGROUND: user '" in line:  # OpenVPN's PAM plugin
        m = rx[OPENVPN_PAM].search(line)
        if m:
            return _login(_cap(m, 1), None)
    if "Registration from '" in line:  # Asterisk (chan_sip)
        m = rx[ASTERISK_SIP].search(line)
        if m:
            return _login(_cap(rx[ASTERISK_SIP_USER].search(line), 1),
                          _clean(_without_port(m[1])))
    if "Auth Username/Password verification failed" in line:
        m = rx[OPENVPN].search(line)
        source = None
        if m:
            source = _clean(_without_port(m[1].rpartition("/")[2]))
        return _login(None, source)
    return None


def _windows_logon_failure(line):
    """Windows Security 4625, 4771 and 4776 (a failure only with a non-zero status) as the
    CloudWatch agent ships them: XML or
    `[Security] [LEVEL] [ID] [Microsoft-Windows-Security-Auditing] [HOST] [message]`."""
    rx = _RX
    event = None
    at = line.find("] [Microsoft-Windows-Security-Auditing] [")
    if at >= 0:
        cut = line.rfind("] [", 0, at)
        if cut >= 0:
            event, xml = line[cut + 3:at], False
    if event is None:
        if "Microsoft-Windows-Security-Auditing" not in line:
            return None
        m = rx[WINDOWS_XML_EVENT_ID].search(line)
        if m is None:
            return None
        event, xml = m[1], True
    fields = _WINDOWS_FIELDS.get((event, xml))
    if fields is None:
        return None
    status, user, source = fields
    if status is not None and not _windows_status_failed(_cap(rx[status].search(line), 1)):
        return None
    user, source = rx[user].search(line), rx[source].search(line)
    source = _cap(source, 1)  # `_clean` drops Windows' `-`
    return _login(_cap(user, 1), source)


# (event, XML?) → (status that must be non-zero, user, source) regexes.
_WINDOWS_FIELDS = {
    ("4625", False): (None, WINDOWS_TEXT_USER, WINDOWS_TEXT_IP),
    ("4771", False): (None, WINDOWS_TEXT_4771_USER, WINDOWS_TEXT_4771_IP),
    ("4776", False): (WINDOWS_TEXT_4776_STATUS, WINDOWS_TEXT_4776_USER, WINDOWS_TEXT_4776_HOST),
    ("4625", True): (None, WINDOWS_XML_USER, WINDOWS_XML_IP),
    ("4771", True): (None, WINDOWS_XML_USER, WINDOWS_XML_IP),
    ("4776", True): (WINDOWS_XML_STATUS, WINDOWS_XML_USER, WINDOWS_XML_WORKSTATION),
}
_HEX = re.compile("[0-9A-Fa-f]+")


def _windows_status_failed(status):
    """An NTSTATUS as an event writes it (`0xC000006A`, `0x0`): a failure unless zero."""
    if status is None or status[:2] not in ("0x", "0X") or not _HEX.fullmatch(status[2:]):
        return False
    return len(status) <= 18 and int(status[2:], 16) != 0


def _windows_json_failure(obj):
    """A Windows Security event in JSON without ECS fields (NXLog, OTRF Security-Datasets):
    `EventID` 4625/4771, or 4776 with a non-zero `Status`, from the Security-Auditing provider."""
    provider = next((v for v in (obj.get("SourceName"), obj.get("ProviderName"))
                     if type(v) is str), None)
    if provider != "Microsoft-Windows-Security-Auditing":
        return None
    event = obj.get("EventID")
    if type(event) is str:
        event = event.strip()
        event = int(event) if event.isascii() and event.isdigit() else None
    elif type(event) is not int:
        return None
    if event in (4625, 4771):
        source_key = "IpAddress"
    elif event == 4776 and _windows_status_failed(
            obj.get("Status") if type(obj.get("Status")) is str else None):
        source_key = "Workstation"
    else:
        return None

    def field(key):
        value = obj.get(key)
        return _clean(value) if type(value) is str else None

    return (field("TargetUserName"), field(source_key), None)


def _web_or_mail_login(line):
    """Apache/nginx basic auth, Dovecot passdb verdicts, SSSD, faillock, postfix SASL, proftpd,
    Keycloak."""
    rx = _RX
    if ("fail" in line or "not found: " in line) and "[client " in line:
        m = rx[APACHE_BASIC].search(line)
        if m:
            # `[client 203.0.113.9:51235]` (2.4) or `[client 10.0.0.2]` (2.2).
            source = _cap(m, 1)
            if source is not None:
                ip, sep, port = source.partition(":")
                if sep and ":" not in port and (port == "" or (port.isascii() and port.isdigit())):
                    source = ip
            return _login(_cap(m, 2), source)
    if (("fail" in line or "nvalid" in line or "mismatch" in line or "unknown user" in line)
            and "): " in line):
        m = rx[DOVECOT_PASSDB].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "nvalid" in line:
        if "' - invalid credentials" in line:  # RabbitMQ
            user = _cap(rx[RABBITMQ].search(line), 1)
            if user is not None:
                return _login(user, _cap(rx[RABBITMQ_PEER].search(line), 1))
        if "] or password is invalid" in line:  # ActiveMQ
            user = _cap(rx[ACTIVEMQ].search(line), 1)
            if user is not None:
                return _login(user, _cap(rx[ACTIVEMQ_PEER].search(line), 1))
    if ("fail" in line or "not known" in line) and "pam_sss(" in line:
        m = rx[PAM_SSS_RECEIVED].search(line)
        if m:
            return _login(_cap(m, 1), None)
    if ("mismatch" in line or "was not found in" in line) and ' user "' in line:
        m = rx[NGINX_BASIC].search(line)
        if m:
            return _login(_cap(m, 1), _cap(m, 2))
    if "fail" in line:
        if "Consecutive login failures for user " in line:
            return _login(_cap(rx[FAILLOCK].search(line), 1), None)
        if "AUTH failure (" in line:  # Sendmail
            found = _sendmail_auth_failure(line)
            if found:
                return found
        if ": badlogin: " in line:  # Cyrus IMAP/POP
            m = rx[CYRUS_BADLOGIN].search(line)
            if m:
                return _login(_cap(m, 2), _cap(m, 1))
        if "SASL " in line and "authentication failed" in line:
            m = rx[SASL].search(line)
            if m:
                return _login(None, _cap(m, 1))
        if " (Login failed)" in line:
            m = rx[PROFTPD].search(line)
            if m:
                return _login(_cap(m, 2), _cap(m, 1))
        if " authenticator failed for " in line:  # Exim
            m = rx[EXIM_AUTHENTICATOR].search(line)
            if m:
                return _login(_cap(rx[EXIM_SET_ID].search(line), 1), _cap(m, 1))
        # A PAM application's own words (shadow's `su: pam_authenticate: Authentication failure`).
        if "pam_authenticate" in line and ": Authentication failure" in line:
            return _login(None, None)
        if "Authentication failure for " in line:  # wp-fail2ban (WordPress) and the like
            return _authentication_failure_for(line)
    # An LDAP bind refused with invalidCredentials (slapd, 389 Directory Server); the DN and the
    # client are on the connection's earlier lines.
    if " err=49 " in line and "tag=97" in line and " RESULT " in line:
        return _login(None, None)
    # Keycloak: `type=LOGIN_ERROR, …, ipAddress=IP, …, username=U` (holds the literal `ERR`).
    if "type=LOGIN_ERROR," in line or 'type="LOGIN_ERROR",' in line:
        user = _cap(rx[KEYCLOAK_USER].search(line), 1)
        return _login(None if user == "null" else user, _cap(rx[KEYCLOAK_IP].search(line), 1))
    # Vaultwarden: `[ERROR] Username or password is incorrect. Try again. IP: IP. Username: U.`
    _, found, rest = line.partition("password is incorrect. Try again. IP: ")
    if found:
        ip, found, user = rest.partition(". Username: ")
        if found:
            ip = _clean(ip)
            return _login(_clean(user), ip if ip is not None and _looks_like_host(ip) else None)
    return None


def _accepted_login(line):
    """`Accepted METHOD for USER from SOURCE port N` → (source, port), to resolve probes."""
    at = line.find("Accepted ")
    while at >= 0:
        start = at + 9
        m = _WS.search(line, start)
        method_end = m.start() if m else len(line)
        if method_end > start and line.startswith(" for ", method_end):
            after = line[method_end + 5:]
            # The user may be anything (even empty, or with spaces): the first ` from SOURCE
            # port N` decides.
            for frm in _from_positions(after):
                if "\n" in after[:frm]:
                    break
                tail = after[frm + 5:]
                m = _WS.search(tail)
                size = m.start() if m else len(tail)
                if size > 0 and tail.startswith(" port ", size):
                    digits = _DIGITS.match(tail, size + 6).end()
                    if digits > size + 6:
                        source = _clean(tail[:size])
                        return None if source is None else (source, tail[size + 6:digits])
        at = line.find("Accepted ", at + 9)
    return None


def _from_positions(after):
    if after.startswith("from "):
        yield 0
    at = after.find(" from ")
    while at >= 0:
        yield at + 1
        at = after.find(" from ", at + 6)


# ---------------------------------------------------------------------------------------------
# Classification results: (error, http_5xx, failed_login, accepted_login) where failed_login is
# (user, source, publickey_probe) and probe / accepted are (source, port).

PLAIN = (False, False, None, None)
_ERROR = (True, False, None, None)
_ERROR_5XX = (True, True, None, None)


def _classify_text(line):
    status = _access_log_status(line)
    if status is None and _WSGI_STATUS in line:
        status = _openstack_wsgi_status(line)
    if status is not None:
        # An access log: its status column decides (client-controlled request, referrer and
        # User-Agent never count), plus a syslog <PRI> header; never a login failure.
        if 500 <= status <= 599:
            return _ERROR_5XX
        return _ERROR if _klog_or_pri(line) is True else PLAIN
    low = line.lower()
    error = _text_error(line, low)
    # `error: PAM: Authentication error …`, Keycloak's LOGIN_ERROR and Vaultwarden's
    # `Username or password is incorrect.` carry no auth literal.
    if (_maybe_auth(low) or "PAM: " in line or "LOGIN_ERROR" in line
            or "password is incorrect. Try again." in line or " err=49 " in line
            or line.startswith(_WINDOWS_EVENT_PREFIXES)):
        login = _failed_login_text(line)
        if login is not None:
            return (error, False, login, None)
        if "Accepted " in line:
            accepted = _accepted_login(line)
            if accepted is not None:
                return (error, False, None, accepted)
    return _ERROR if error else PLAIN


# ---------------------------------------------------------------------------------------------
# JSON lines.

LEVEL_KEYS = ("level", "severity", "levelname", "level_name", "loglevel", "log_level",
              "log.level", "lvl", "@l", "@level", "severity_text", "severitytext", "status")
HTTP_STATUS_KEYS = ("status", "status_code", "statuscode", "http_status", "httpstatus",
                    "elb_status_code", "http.status_code", "http.response.status_code",
                    "res.statusCode", "sc-status", "DownstreamStatus", "response.status",
                    "httpRequest.status", "response_code")
_STATUS_PARENTS = frozenset(("http", "res", "response", "httpRequest"))
TEXT_KEYS = ("message", "msg", "log", "MESSAGE")
LOGIN_KEYS = ("event", "event.action", "event.outcome", "action", "outcome", "result",
              "auth_result", "event_type", "eventtype", "type", "eventname", "audit_category",
              "activity-type", "connection-attempt-status")
_LEVEL_L = frozenset(LEVEL_KEYS)
_HTTP_L = frozenset(k.lower() for k in HTTP_STATUS_KEYS)
_TEXT_L = frozenset(k.lower() for k in TEXT_KEYS)
_LOGIN_L = frozenset(LOGIN_KEYS)
_WATCHED_L = _LEVEL_L | _HTTP_L | _TEXT_L | _LOGIN_L | {"severity_number", "severitynumber"}
# `atype`: MongoDB/DocumentDB audit records; `success`: `"success": false` (_json_failed_login).
_WATCHED_EXACT = (frozenset(("PRIORITY", "s", "responseElements", "errorType", "detail", "log_id", "EventID",
                              "atype", "success", "successful"))
                  | _STATUS_PARENTS)
_MISSING = object()


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")  # serde_json rejects NaN/Infinity


_loads = json.JSONDecoder(parse_constant=_reject_constant).decode
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _is_number(v):
    return type(v) is int or type(v) is float


def _level_value_is_error(s):
    return _level_word(s.strip()) is True


def _journald_priority_is_error(v):
    if type(v) is str:
        return v in ("0", "1", "2", "3")
    return _is_number(v) and 0 <= v <= 3


def _field_is_interesting(key, k, value):
    """Whether one top-level field (`k`: its key lower-cased) may make the event an error, a 5xx
    or a failed login (classify.rs field_is_interesting: the lean look before the full one)."""
    if k == "severity_number" or k == "severitynumber":
        return _is_number(value) and value >= 17
    if key == "PRIORITY":
        return _journald_priority_is_error(value)
    if key == "errorType":  # a Lambda runtime's error document; the full look checks the rest
        return type(value) is str and value.strip() != ""
    if key == "s":  # MongoDB's severity; the full look checks the rest of MongoDB's shape
        return value == "E" or value == "F"
    if k in _TEXT_L:
        if type(value) is str:
            return (_gate_any(value) or _klog_or_pri(value) is True
                    or _elb_5xx(value))
        # `"log": {"level": …}` (ECS) or a structured message: let the full look decide.
        if type(value) is dict or type(value) is list:
            raw = _dumps(value)
            return _sev_any(raw) or _AUTH_ANY.search(raw) is not None
        return False
    level_key, status_key = k in _LEVEL_L, k in _HTTP_L
    if level_key or status_key:
        if type(value) is str:
            return ((status_key and len(value) == 3 and value[0] == "5" and value.isdigit()
                     and value.isascii())
                    or (level_key and (_level_value_is_error(value)
                                       or value.lower() == "dpanic")))
        if _is_number(value):
            return ((status_key and 500 <= value < 600)
                    or (level_key and k != "status" and 50 <= value < 100))
        return False
    # `response`: HashiCorp Vault's audit log (see `_vault_login_failure`).
    if k == "type" and type(value) is str and (value.startswith("platform.")
                                               or value.endswith("TimedOut")
                                               or value == "response"):
        return True
    if key == "activity-type" and value == "ERROR":  # AWS Transfer Family (_transfer_family_error)
        return True
    if key == "log_id":  # an Auth0 tenant log event (see _auth0_login_failure)
        return True
    if key == "atype":  # a MongoDB or DocumentDB audit record (see _mongodb_audit_failure)
        return value == "authenticate"
    if key == "success" or key == "successful":  # beside an authentication action
        return value is False
    if key == "EventID":  # a Windows Security event in JSON (see _windows_json_failure)
        if type(value) is str:
            value = value.strip()
            try:
                value = float(value)
            except ValueError:
                return False
        return _is_number(value) and value in (4625, 4771, 4776)
    status_parent = key in _STATUS_PARENTS
    if status_parent and not _may_hold_5xx(value):
        return False
    raw = _dumps(value)
    if key == "detail" and _AUTH0_LOG_ID in raw:
        return True
    if status_parent:
        return "tatus" in raw and raw[:1] == "{" and _json_number_bits(raw) & 1 != 0
    if k == "eventname" and (raw == '"ConsoleLogin"' or raw == '"CredentialVerification"'):
        return True
    return _AUTH_ANY.search(raw) is not None or "bad" in raw or "Bad" in raw


def _unsure(s):
    return ":" in s or '"' in s or "\\" in s


def _may_hold_5xx(value):
    """False when the JSON text of `value` certainly holds no level/status-like key with a
    value starting with 5 (`{"method":"GET","status_code":200}`), so it need not be serialised
    and scanned. Strings with `:`, quotes or backslashes could hide such text: unsure."""
    if type(value) is dict:
        for key, v in value.items():
            t = type(v)
            if _unsure(key) or (t is str and (_unsure(v) or (v[:1] == "5"
                                                             and _numeric_sensitive_key(key)))):
                return True
            if (t is int or t is float) and str(v)[:1] == "5" and _numeric_sensitive_key(key):
                return True
            if (t is dict or t is list) and _may_hold_5xx(v):
                return True
        return False
    if type(value) is list:
        return any((type(v) is str and _unsure(v))
                   or ((type(v) is dict or type(v) is list) and _may_hold_5xx(v)) for v in value)
    return type(value) is str and _unsure(value)


# Field name → its lower-cased form when the lean look watches it, else None. A JSON log
# repeats the same few field names on every line (json's decoder memoises keys likewise);
# bounded against hostile input.
_WATCHED_KEYS = {}


def _watched(key):
    k = key.lower()
    k = k if k in _WATCHED_L or key in _WATCHED_EXACT else None
    if len(_WATCHED_KEYS) < 4096:
        _WATCHED_KEYS[key] = k
    return k


def _classify_json(obj, outer=True):
    watched = _WATCHED_KEYS.get
    for key, value in obj.items():
        k = watched(key, _MISSING)
        if k is _MISSING:
            k = _watched(key)
        if k is not None and _field_is_interesting(key, k, value):
            return _classify_json_full(obj, outer)
    return PLAIN


def _path(obj, dotted):
    """A value at a dotted path: the flat key (`"log.level"`) or the nested objects."""
    value = obj.get(dotted, _MISSING)
    if value is not _MISSING:
        return value
    for part in dotted.split("."):
        if type(obj) is not dict:
            return _MISSING
        obj = obj.get(part, _MISSING)
        if obj is _MISSING:
            break
    return obj


def _is_mongodb_log(obj):
    """MongoDB's structured log (4.4 and later): `t` is `{"$date": …}`, `c` a component."""
    t = obj.get("t")
    return type(t) is dict and "$date" in t and type(obj.get("c")) is str


def _mongodb_severity(obj):
    """MongoDB's one-letter `s`: F fatal and E error; W, I and D1–D5 are not."""
    severity = obj.get("s")
    if type(severity) is not str or not _is_mongodb_log(obj):
        return None
    if severity in ("F", "E"):
        return True
    return False if severity in ("W", "I") or severity.startswith("D") else None


def _without_port(address):
    """`10.0.0.5:51234` → `10.0.0.5`, `[2001:db8::1]:51234` → `2001:db8::1`, else as is."""
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    host, sep, port = address.rpartition(":")
    if sep and ":" not in host and port and port.isascii() and port.isdigit():
        return host
    return address


def _mongodb_auth_failure(obj):
    """MongoDB's `Authentication failed` (ACCESS, id 20249): user `attr.principalName` (`user`
    before 4.4), source `attr.remote` (6.0+) or `attr.client` (4.4/5.0) without its port."""
    if (obj.get("c") != "ACCESS" or obj.get("msg") != "Authentication failed"
            or not _is_mongodb_log(obj)):
        return None
    attr = obj.get("attr")
    attr = attr if type(attr) is dict else {}

    def field(keys):
        value = next((v for v in map(attr.get, keys) if type(v) is str), None)
        return value.strip() or None if value is not None else None

    source = field(("remote", "client"))
    return (field(("principalName", "user")), _without_port(source) or None if source else None,
            None)


def _mongodb_audit_failure(obj):
    """A MongoDB (`result` non-zero, client `remote.ip`) or DocumentDB (`param.success` false or
    `param.error` non-zero, client `remote_ip` without its port) audit `authenticate` record that
    failed; user `param.user`."""
    if obj.get("atype") != "authenticate":
        return None
    param = obj.get("param")
    param = param if type(param) is dict else {}

    def nonzero(v):
        return _is_number(v) and v != 0

    if not (nonzero(obj.get("result")) or param.get("success") is False
            or nonzero(param.get("error"))):
        return None

    def owned(v):
        return v.strip() or None if type(v) is str else None

    source = _path(obj, "remote.ip")
    if type(source) is not str:
        source = obj.get("remote_ip")
        source = _without_port(source) if type(source) is str else None
    return (owned(param.get("user")), owned(source), None)


def _json_level(obj):
    """True error level, False another level, None no level field."""
    verdict = _mongodb_severity(obj)
    if verdict is not None:
        return verdict
    if _journald_priority_is_error(obj.get("PRIORITY")):
        return True  # journald: PRIORITY 0–3 (a higher one is no verdict: stdout is logged at 6)
    verdict = None
    for key, value in obj.items():
        k = key.lower()
        if (k == "severity_number" or k == "severitynumber") and _is_number(value):
            return value >= 17  # OpenTelemetry: 17–20 ERROR, 21–24 FATAL
        if k not in _LEVEL_L:
            continue
        if type(value) is str:
            if k == "status" and (value == "" or (value.isascii() and value.isdigit())):
                continue  # an HTTP status written as a string
            s = value.strip()
            if _level_word(s) is True or s.lower() == "dpanic":
                return True
            if verdict is None:
                verdict = False
        elif _is_number(value) and k != "status":  # bunyan/pino: 50 error, 60 fatal
            if 50 <= value < 100:
                return True
            if verdict is None:
                verdict = False
    if verdict is None:
        level = _path(obj, "log.level")
        if type(level) is str:
            return _level_value_is_error(level)
    return verdict


_PLATFORM_WITH_STATUS = frozenset(("platform.report", "platform.initReport",
                                   "platform.restoreReport", "platform.runtimeDone",
                                   "platform.initRuntimeDone", "platform.restoreRuntimeDone"))


def _lambda_platform_json(obj):
    """Lambda JSON platform records that end a phase, whose `record.status` is not `success`."""
    kind = obj.get("type")
    if type(kind) is not str or kind not in _PLATFORM_WITH_STATUS:
        return None
    record = obj.get("record")
    status = record.get("status") if type(record) is dict else None
    return type(status) is str and status != "success"


def _json_http_status(obj):
    by_lower = {}
    for key, value in obj.items():
        by_lower.setdefault(key.lower(), value)  # the first key that matches, any case
    for key in HTTP_STATUS_KEYS:
        value = by_lower.get(key.lower(), _MISSING)
        if value is _MISSING and "." in key:
            value = _path(obj, key)
        if type(value) is int:
            status = value
        elif type(value) is str and len(value) == 3 and value.isascii() and value.isdigit():
            status = int(value)
        else:
            continue
        if 100 <= status <= 599:
            return status
    return None


USER_KEYS = ("user", "username", "user_name", "userName", "user.name", "login", "email",
             "account", "userIdentity.userName", "principal", "actor.alternateId",
             "audit_request_effective_user")
SOURCE_KEYS = ("source_ip", "sourceIp", "sourceIP", "sourceIPAddress", "src_ip", "client_ip",
               "clientIp", "clientIP", "remote_addr", "remote_ip", "remoteAddress", "remoteAddr",
               "remoteIp", "remoteIP", "ipAddress", "ip",
               "ip_address", "source-ip", "audit_request_remote_address", "source.ip", "client.ip", "client.ipAddress", "source.address",
               "rhost", "addr.remote")  # addr.remote: Teleport's audit log


def _json_source(obj):
    """The client address of a JSON log, without a port the logger appended."""
    source = _json_string(obj, SOURCE_KEYS)
    return _without_port(source) if source is not None else None


_FAILED_EVENT_NAMES = frozenset((
    "loginfailed", "loginfailure", "failedlogin", "logonfailed", "logonfailure", "failedlogon",
    "signinfailed", "signinfailure", "failedsignin", "authfailed", "authfailure",
    "authenticationfailed", "authenticationfailure", "failedauthentication", "invalidlogin",
    "invalidcredentials", "badcredentials", "userloginfailed"))
# `audit_category`: Amazon OpenSearch Service audit logs; `activity-type`: AWS Transfer Family.
_EVENT_NAME_KEYS = ("event", "event.action", "action", "event_type", "eventType", "type",
                    "eventName", "audit_category", "activity-type")
_NOT_ALNUM = re.compile("[^A-Za-z0-9]+")
_NAMESPACE_SEP = re.compile("[.:]")


def _json_string(obj, keys):
    for key in keys:
        value = _path(obj, key)
        if type(value) is str:
            value = value.strip()
            return value if value and value not in ("-", "--") else None
    return None


def _failed_event_name(name):
    """The whole name, or its part after a namespace (`auth.login_failed`, `user:login.failed`)."""
    parts = [name] + [name[m.end():] for m in _NAMESPACE_SEP.finditer(name)]
    return any(_NOT_ALNUM.sub("", p).lower() in _FAILED_EVENT_NAMES for p in parts)


def _eventbridge_detail(obj):
    """The event of an EventBridge rule whose target is a log group (`detail-type`, `detail`)."""
    if type(obj.get("detail-type")) is not str:
        return None
    detail = obj.get("detail")
    return detail if type(detail) is dict else None


# Auth0's "Login - Failure" event codes.
_AUTH0_LOGIN_FAILURES = frozenset(("f", "fc", "fco", "fcoa", "fens", "fp", "fu"))


def _auth0_login_failure(obj):
    """An Auth0 tenant log event of a failed login, at the top level or under `data`, beside a
    `log_id`: user `user_name` (else `user_id`), source `ip`."""
    data = obj.get("data")
    for event in (obj, data) if type(data) is dict else (obj,):
        if event.get("type") in _AUTH0_LOGIN_FAILURES:
            break
    else:
        return None
    if "log_id" not in event and "log_id" not in obj:
        return None
    user = next((v.strip() for v in (event.get("user_name"), event.get("user_id"))
                 if type(v) is str and v.strip()), None)
    return (user, _json_source(event), None)


def _vault_login_failure(obj):
    """HashiCorp Vault's audit log: the `response` entry of an `auth/<mount>/login[/<user>]`
    request that carries an `error`; user from the path, client `request.remote_address`."""
    error = obj.get("error")
    if obj.get("type") != "response" or type(error) is not str or not error.strip():
        return None
    request = obj.get("request")
    path = request.get("path") if type(request) is dict else None
    if type(path) is not str or not path.startswith("auth/") or "/login" not in path:
        return None
    after = path[5:].split("/login", 1)[1]
    if after and not after.startswith("/"):
        return None
    user = after[1:] if after.startswith("/") else ""
    user = user if user and "/" not in user else None
    address = request.get("remote_address")
    return _login(user, _clean(address) if type(address) is str else None)


def _client_vpn_failure(obj):
    """An AWS Client VPN connection log entry of a failed connection attempt: user `username`,
    else `common-name`; client `device-ip`; `NA` is no value."""
    if (obj.get("connection-log-type") != "connection-attempt"
            or obj.get("connection-attempt-status") != "failed"):
        return None

    def field(key):
        value = obj.get(key)
        value = _clean(value) if type(value) is str else None
        return None if value == "NA" else value

    return (field("username") or field("common-name"), field("device-ip"), None)


def _json_failed_login(obj):
    """An event name such as `login_failed`, a failure `outcome` of an authentication action
    (ECS), a CloudTrail `ConsoleLogin` failure, MongoDB's or Auth0's."""
    login = (_mongodb_auth_failure(obj) or _mongodb_audit_failure(obj)
             or _auth0_login_failure(obj)
             or _vault_login_failure(obj) or _windows_json_failure(obj)
             or _client_vpn_failure(obj))
    if login is not None:
        return login
    names = [v for v in (_path(obj, k) for k in _EVENT_NAME_KEYS) if type(v) is str]
    failed = any(_failed_event_name(v) for v in names)
    if not failed:
        outcome = next((v for v in (_path(obj, k) for k in
                                    ("outcome", "outcome.result", "event.outcome", "result",
                                     "auth_result"))
                        if type(v) is str), None)
        if outcome is not None and outcome.lower() in ("failure", "failed", "fail", "denied",
                                                       "rejected"):
            category = _path(obj, "event.category")
            failed = (any(w in v.lower() for v in names
                          for w in ("login", "logon", "signin", "sign_in", "sign-in", "auth",
                                    "session.start"))
                      or (type(category) is str and category.lower() == "authentication")
                      or (type(category) is list
                          and any(type(c) is str and c.lower() == "authentication"
                                  for c in category)))
    if not failed and (obj.get("success") is False or obj.get("successful") is False):
        # Teleport (`"event":"user.login"`, `"event":"auth"`) and apps that log the same way.
        failed = any(w in v.lower() for v in names
                     for w in ("login", "logon", "signin", "sign_in", "sign-in", "auth",
                               "session.start"))
    if not failed and obj.get("eventName") == "ConsoleLogin":
        failed = _path(obj, "responseElements.ConsoleLogin") == "Failure"
    if not failed and obj.get("eventName") == "CredentialVerification":  # IAM Identity Center
        failed = _path(obj, "serviceEventDetails.CredentialVerification") == "Failure"
    if not failed:
        return None
    user = _json_string(obj, USER_KEYS)
    if user is None:
        arn = _path(obj, "userIdentity.arn")
        user = arn if type(arn) is str else None
    return (user, _json_source(obj), None)


def _classify_json_full(obj, outer=True):
    level = _json_level(obj)
    platform = _lambda_platform_json(obj)
    status = _json_http_status(obj)
    http_5xx = status is not None and 500 <= status <= 599
    # Text embedded in a JSON envelope (Fluent Bit / Docker `log`, journald `MESSAGE`, …).
    inner = next((v for v in map(obj.get, TEXT_KEYS) if type(v) is str), None)
    if inner is not None:
        inner = inner.rstrip()
    text = inner or None
    if not inner:
        inner = None
    elif inner[0] != "{":
        inner = _classify_text(inner)
    else:
        # The JSON line of an app behind Fluent Bit or FireLens; one level of nesting is read.
        text = inner
        inner_obj = _json_object(text) if outer else None
        inner = None if inner_obj is None else _classify_json(inner_obj, outer=False)
        if inner is not None and inner != PLAIN and not _gate_any(text):
            inner = PLAIN  # the Rust gate finds nothing in the text: no JSON rule runs
    if platform is not None:
        error = platform
    elif level is not None:
        error = level
    else:
        error = ((inner is not None and inner[0]) or _lambda_error_document(obj)
                 or _step_functions_failure(obj) or _transfer_family_error(obj))
    error = error or http_5xx
    if inner is not None and status is None and inner[1]:
        error = http_5xx = True
    login = _json_failed_login(obj)
    if login is None:
        detail = _eventbridge_detail(obj)
        if detail is not None:
            login = _json_failed_login(detail)
    if login is None and inner is not None:
        login = inner[2]
        if login is not None:
            # The message names no user/source: take them from the log's own fields.
            user, source, probe = login
            login = (user if user is not None else _json_string(obj, USER_KEYS),
                     source if source is not None else _json_source(obj), probe)
    if login is None and text is not None:
        login = _json_auth_failed_message(obj, text)
    accepted = inner[3] if login is None and inner is not None else None
    return (error, http_5xx, login, accepted)


_AUTH_FAILED_PHRASES = ("authentication failed", "authentication failure", "auth failed",
                        "auth failure")


def _json_auth_failed_message(obj, text):
    """A JSON log whose message is just "authentication failed" (`: reason` may follow) counts
    when its own fields name the user or the client."""
    text = text.strip().rstrip(".!")
    for phrase in _AUTH_FAILED_PHRASES:
        head = text[:len(phrase)]
        if (head.isascii() and head.lower() == phrase
                and text[len(phrase):len(phrase) + 1] in ("", ":", ",", ";", "(")):
            break
    else:
        return None
    user, source = _json_string(obj, USER_KEYS), _json_source(obj)
    return None if user is None and source is None else (user, source, None)


def _step_functions_failure(obj):
    """AWS Step Functions' execution history: a `type` ending in `Failed` or `TimedOut` beside an
    `execution_arn` (`…Aborted` follows a stop request: not an error)."""
    kind = obj.get("type")
    return ("execution_arn" in obj and type(kind) is str
            and (kind.endswith("Failed") or kind.endswith("TimedOut")))


def _transfer_family_error(obj):
    """AWS Transfer Family's structured log: `activity-type` `ERROR` beside a Transfer
    `resource-arn` (refused logins are `AUTH_FAILURE`: failed logins, not errors)."""
    arn = obj.get("resource-arn")
    return (obj.get("activity-type") == "ERROR" and type(arn) is str
            and arn.split(":")[2:3] == ["transfer"])


def _lambda_error_document(obj):
    """A Lambda runtime's error document for an unhandled error (`errorMessage`, `errorType`)."""
    error_type = obj.get("errorType")
    return (type(error_type) is str and error_type.strip() != ""
            and type(obj.get("errorMessage")) is str)


def _json_object(msg):
    if msg[-1:] != "}" and not msg.rstrip().endswith("}"):
        return None
    try:
        obj = _loads(msg)
    except (ValueError, RecursionError):
        return None
    return obj if type(obj) is dict else None


def _cri_line_start(msg):
    """Where the container's line starts after a CRI log-file prefix (`2026-12-03T09:00:00.1Z
    stdout F `: containerd, CRI-O), else 0."""
    if len(msg) < 30 or msg[4] != "-" or msg[10] != "T" or msg[13] != ":" or msg[16] != ":":
        return 0
    space = msg.find(" ", 19, 40)
    if space < 0 or msg[space + 1:space + 8] not in ("stdout ", "stderr "):
        return 0
    return space + 10 if msg[space + 8:space + 10] in ("F ", "P ") else 0


def classify_event(msg):
    """(error, http_5xx, failed_login, accepted_login) of one message, as the Rust payload path
    answers it."""
    msg = msg[_cri_line_start(msg):]
    first = msg[:1]
    if first == "{":
        obj = _json_object(msg)
        if obj is not None:
            # The JSON rules first (json.loads costs less than a Python gate scan of the text);
            # a positive answer holds only if the Rust prefilter lets the event through.
            c = _classify_json(obj)
            return PLAIN if c == PLAIN or _json_gate_settles(msg) else c
        return PLAIN if _json_gate_settles(msg) else _classify_text(msg)
    if first.isspace() and msg.lstrip()[:1] == "{":
        # Rare: JSON after leading white space takes the text path's first steps.
        status = _access_log_status(msg)
        if status is not None:
            return _ERROR_5XX if 500 <= status <= 599 else PLAIN
        if not _gate_any(msg):
            return PLAIN
        obj = _json_object(msg)
        if obj is not None:
            return _classify_json(obj)
    return _classify_text(msg)


def classify(msg):
    """(error, http_5xx, failed_login or None); failed_login = (user, source, probe)."""
    return classify_event(msg)[:3]


# ---------------------------------------------------------------------------------------------
# Redaction of sample lines (redact.rs): credentials replaced before the line is truncated.

_SECRET_WORDS = (r"password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|credential"
                 r"|authorization|signature")
_REDACTIONS = (
    (r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.)*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
     A, "[REDACTED-PRIVATE-KEY]"),
    (r"\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*", A | re.I, r"\g<1>\g<2>[REDACTED]"),
    (r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b", A,
     "[REDACTED-AWS-KEY]"),
    (r"\b(?:xox[abeoprs]-[A-Za-z0-9-]{10,}|gh[opsur]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{20,}"
     r"|glpat-[A-Za-z0-9_-]{20,}|[rs]k_live_[A-Za-z0-9]{16,})", A, "[REDACTED-TOKEN]"),
    (r'("[\w.-]*(?:' + _SECRET_WORDS + r')[\w.-]*"\s*:\s*)"(?:[^"\\]|\\.)*"', A | re.I,
     r'\g<1>"[REDACTED]"'),
    (r"\b([\w.-]*(?:" + _SECRET_WORDS + r")[\w.-]*)(\s*[=:]\s*)(?:\"[^\"]*\"|'[^']*'"
     r"|[^\s&,;\"']+)", A | re.I, r"\g<1>\g<2>[REDACTED]"),
    (r"\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@", A | re.I, r"\g<1>[REDACTED]@"),
    (r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", A, "[REDACTED-JWT]"),
    # FreeRADIUS with auth_badpass/auth_goodpass: `Login incorrect: [U/PASSWORD] (from client …`
    (r"(: \[[^/\]\n]*/).*(\] \(from client )", A, r"\g<1>[REDACTED]\g<2>"),
)
# Rules that cannot match without one of these words are skipped (most samples need none).
_REDACTION_HINTS = (("private key-----",), ("bearer", "basic"), ("akia", "asia", "abia", "acca",
                    "agpa", "aida", "aipa", "anpa", "anva", "aroa", "apka", "asca"),
                    ("xox", "gh", "github_pat_", "glpat-", "k_live_"),
                    ("pass", "pwd", "secret", "token", "key", "credential", "authorization",
                     "signature"),
                    ("pass", "pwd", "secret", "token", "key", "credential", "authorization",
                     "signature"), ("://",), ("eyj",), ("(from client ",))


def sample_window(message):
    """At most REDACT_WINDOW_BYTES of the message, trailing white space removed."""
    return _head(message.rstrip(), REDACT_WINDOW_BYTES)


def truncate_chars(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


def sample_text(message):
    """Redacted and truncated: the text of a sample that leaves the function."""
    text = _no_surrogates(sample_window(message))
    low = text.lower()
    for (pattern, flags, replacement), hints in zip(_REDACTIONS, _REDACTION_HINTS):
        if any(h in low for h in hints):
            text = _RX[pattern, flags].sub(replacement, text)
    return truncate_chars(text, MAX_SAMPLE_CHARS)


# ---------------------------------------------------------------------------------------------
# Aggregation (aggregate.rs).

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def rfc3339_ms(ms):
    """chrono's RFC 3339 form of a millisecond time stamp (fraction only when non-zero)."""
    try:
        t = _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None
    frac = f".{ms % 1000:03d}" if ms % 1000 else ""
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
            f"{t.second:02d}{frac}Z")


def rfc3339_ns(ns):
    seconds, nanos = divmod(ns, 1_000_000_000)
    base = rfc3339_ms(seconds * 1000)[:-1]
    if nanos == 0:
        return base + "Z"
    if nanos % 1_000_000 == 0:
        return f"{base}.{nanos // 1_000_000:03d}Z"
    if nanos % 1000 == 0:
        return f"{base}.{nanos // 1000:06d}Z"
    return f"{base}.{nanos:09d}Z"


def _check_event(index, event):
    if type(event) is not dict:
        raise DecodeError("json", f"logEvents[{index}] is not an object")
    if type(event.get("message", "")) is not str:
        raise DecodeError("json", f"logEvents[{index}].message is not a string")
    if type(event.get("timestamp", 0)) is not int:
        raise DecodeError("json", f"logEvents[{index}].timestamp is not an integer")


class Group:
    """Counts, failed-login sources, samples and pending publickey probes of one log group."""

    def __init__(self, log_group, owner, sample_at):
        self.log_group, self.owner, self.sample_at = log_group, owner, max(sample_at, 1)
        self.log_streams = []
        self.events = self.errors = self.failed_logins = self.http_5xx = 0
        self.sources = {}  # source → [count, users, first_ms, last_ms, pending sample]
        self.error_samples = []
        self.first_error = self.last_error = None
        self.first_login = self.last_login = None
        self.pending = {}  # (source, port) → [(ts, user, stream, message), …]

    def stream_index(self, stream):
        try:
            return self.log_streams.index(stream)
        except ValueError:
            if len(self.log_streams) < MAX_STREAMS:
                self.log_streams.append(stream)
                return len(self.log_streams) - 1
            return -1

    def stream_name(self, index):
        return self.log_streams[index] if index >= 0 else None

    def add_events(self, events, stream):
        """The hot loop: classify every event, count what is not plain. Event shapes are
        checked here rather than in a pass of their own (a direct invocation fails as a whole
        on a bad one, before any output)."""
        add, plain = self.add, PLAIN
        try:
            for event in events:
                message, ts = event.get("message", ""), event.get("timestamp", 0)
                if type(message) is not str or type(ts) is not int:
                    raise TypeError
                c = classify_event(message)
                if c is not plain:
                    add(ts, message, stream, c)
        except (AttributeError, TypeError):
            for index, event in enumerate(events):
                _check_event(index, event)  # names the malformed event
            raise  # none: a bug, not bad input
        self.events += len(events)

    def add(self, ts, message, stream, c):
        error, http_5xx, login, accepted = c
        if http_5xx:
            self.http_5xx += 1
        if error:
            self.errors += 1
            self.first_error = ts if self.first_error is None else min(self.first_error, ts)
            self.last_error = ts if self.last_error is None else max(self.last_error, ts)
            if len(self.error_samples) < MAX_ERROR_SAMPLES:
                self.error_samples.append(
                    (ts, self.stream_name(stream), sample_text(message)))
        if login is not None:
            user, source, probe = login
            if probe is not None and (len(self.pending) < MAX_TRACKED_SOURCES
                                      or probe in self.pending):
                # A key the client offered that was not accepted: counts only if the same
                # connection does not log `Accepted` in the batch (see finish()).
                self.pending.setdefault(probe, []).append((ts, user, stream, message[:4096]))
                return
            self.count_failed_login(ts, user, source, stream, message)
        elif accepted is not None and self.pending:
            self.pending.pop(accepted, None)

    def count_failed_login(self, ts, user, source, stream, message):
        self.failed_logins += 1
        self.first_login = ts if self.first_login is None else min(self.first_login, ts)
        self.last_login = ts if self.last_login is None else max(self.last_login, ts)
        if source is None:
            return
        stats = self.sources.get(source)
        if stats is None:
            if len(self.sources) >= MAX_TRACKED_SOURCES:
                return  # still counted in the metric, not tracked (bounds memory)
            stats = self.sources[source] = [0, [], ts, ts, None]
        stats[0] += 1
        if ts < stats[2]:
            stats[2] = ts
        if ts > stats[3]:
            stats[3] = ts
        if user is not None and len(stats[1]) < MAX_USERS_PER_SOURCE and user not in stats[1]:
            stats[1].append(user)
        if stats[0] == self.sample_at:
            # The line that brought the source to the threshold; redacted only if an alert
            # takes it.
            stats[4] = (ts, self.stream_name(stream), sample_window(message))

    def finish(self):
        """Publickey probes whose connection never logged `Accepted` count now."""
        pending = sorted(self.pending.items(), key=lambda kv: kv[1][0][0])
        self.pending = {}
        for (source, _port), probes in pending:
            for ts, user, stream, message in probes:
                self.count_failed_login(ts, user, source, stream, message)

    def offending_sources(self, threshold):
        """Sources with at least `threshold` failed logins, worst first (then earliest, then
        by address)."""
        threshold = max(threshold, 1)
        out = [(s, st) for s, st in self.sources.items() if st[0] >= threshold]
        out.sort(key=lambda kv: (-kv[1][0], kv[1][2], kv[0]))
        return out


class Batch:
    """The log groups of one invocation, in first-seen order."""

    def __init__(self, sample_at):
        self.groups, self.sample_at = {}, sample_at

    def add_payload(self, doc):
        name = doc.get("logGroup", "")
        group = self.groups.get(name)
        if group is None:
            group = self.groups[name] = Group(name, doc.get("owner", ""), self.sample_at)
        group.add_events(doc.get("logEvents") or [], group.stream_index(doc.get("logStream", "")))

    def finish(self):
        for group in self.groups.values():
            group.finish()
        return list(self.groups.values())


# ---------------------------------------------------------------------------------------------
# Alerts (alerts.rs) and EMF (metrics.rs).


def _plural(n, one, many):
    return f"{n} {one if n == 1 else many}"


def _sample_doc(ts, stream, message):
    doc = {}
    when = rfc3339_ms(ts)
    if when is not None:
        doc["timestamp"] = when
    if stream is not None:
        doc["log_stream"] = stream
    doc["message"] = message
    return doc


def _alert(group, kind, severity, count, threshold, first, last, config):
    doc = {"schema": ALERT_SCHEMA_V1, "kind": kind, "severity": severity, "summary": "",
           "log_group": group.log_group, "log_streams": list(group.log_streams)}
    if group.owner:
        doc["account"] = group.owner
    if config["region"]:
        doc["region"] = config["region"]
    doc.update(count=count, threshold=threshold, events_in_batch=group.events)
    for name, ms in (("first_seen", first), ("last_seen", last)):
        when = rfc3339_ms(ms) if ms is not None else None
        if when is not None:
            doc[name] = when
    doc.update(suppressed_alerts=0, suppressed_events=0)
    return doc


def build_alerts(group, config, now_ns):
    """The alerts one log group's batch calls for (before the cooldown), brute force first."""
    alerts = []
    threshold = max(config["failed_login_threshold"], 1)
    offenders = group.offending_sources(threshold)
    if offenders:
        total = sum(st[0] for _, st in offenders)
        # Ten times the threshold from one address, or many addresses at once: an attack.
        severity = ("critical" if offenders[0][1][0] >= threshold * 10 or len(offenders) >= 10
                    else "high")
        doc = _alert(group, "brute_force", severity, total, threshold,
                     min(st[2] for _, st in offenders), max(st[3] for _, st in offenders),
                     config)
        doc["sources"] = [
            {k: v for k, v in (("source", s), ("count", st[0]), ("users", list(st[1])),
                               ("first_seen", rfc3339_ms(st[2])), ("last_seen", rfc3339_ms(st[3])))
             if v is not None}
            for s, st in offenders[:MAX_ALERT_SOURCES]]
        if len(offenders) > MAX_ALERT_SOURCES:
            doc["more_sources"] = len(offenders) - MAX_ALERT_SOURCES
        samples = [st[4] for _, st in offenders if st[4] is not None][:MAX_ERROR_SAMPLES]
        doc["samples"] = [_sample_doc(ts, stream, sample_text(w)) for ts, stream, w in samples]
        top, top_stats = offenders[0]
        users = f", users {', '.join(top_stats[1][:3])}" if top_stats[1] else ""
        doc["summary"] = (f"{_plural(len(offenders), 'source', 'sources')} made "
                          f"{_plural(total, 'failed login', 'failed logins')} in "
                          f"{group.log_group} (threshold {threshold} per source); top {top} "
                          f"({top_stats[0]}{users}).")
        doc["generated_at"] = rfc3339_ns(now_ns)
        alerts.append(doc)
    threshold = max(config["error_alert_threshold"], 1)
    if group.errors >= threshold:
        severity = "high" if group.errors >= threshold * 10 else "medium"
        doc = _alert(group, "error_burst", severity, group.errors, threshold, group.first_error,
                     group.last_error, config)
        doc["samples"] = [_sample_doc(*s) for s in group.error_samples[:MAX_ERROR_SAMPLES]]
        http = f", {group.http_5xx} of them HTTP 5xx" if group.http_5xx else ""
        doc["summary"] = (f"{_plural(group.errors, 'error', 'errors')} among "
                          f"{_plural(group.events, 'event', 'events')} in {group.log_group} in "
                          f"one batch (threshold {threshold}){http}.")
        doc["generated_at"] = rfc3339_ns(now_ns)
        alerts.append(doc)
    return alerts


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def subject(alert):
    """SNS `Subject`: at most 100 characters, no control characters."""
    if alert["kind"] == "brute_force":
        sources = len(alert.get("sources", ())) + alert.get("more_sources", 0)
        what = (f"Brute force: {alert['count']} failed logins from "
                f"{_plural(sources, 'source', 'sources')}")
    else:
        what = f"Error burst: {alert['count']} errors"
    text = _CONTROL.sub(" ", f"[{alert['severity'].upper()}] {what} in {alert['log_group']}")
    return truncate_chars(text, MAX_SUBJECT_CHARS)


class Cooldown:
    """Per-container memory of sent alerts by (log group, kind): repeats within the period are
    held back and reported by the next one sent."""

    def __init__(self, seconds):
        self.period_ns, self.entries = seconds * 1_000_000_000, {}

    def check(self, alert, now_ns):
        entry = self.entries.get((alert["log_group"], alert["kind"]))
        if entry is None:
            return True
        if now_ns < entry[0] + self.period_ns:
            entry[1] += 1
            entry[2] += alert["count"]
            return False
        alert["suppressed_alerts"], alert["suppressed_events"] = entry[1], entry[2]
        return True

    def sent(self, alert, now_ns):
        entry = self.entries.setdefault((alert["log_group"], alert["kind"]), [now_ns, 0, 0])
        entry[0] = now_ns
        entry[1] = max(entry[1] - alert["suppressed_alerts"], 0)
        entry[2] = max(entry[2] - alert["suppressed_events"], 0)
        if len(self.entries) > 10_000:
            self.entries = {k: e for k, e in self.entries.items()
                            if now_ns < e[0] + self.period_ns}


def render_emf(namespace, group, now_ns):
    doc = {"_aws": {"Timestamp": now_ns // 1_000_000, "CloudWatchMetrics": [{
        "Namespace": namespace, "Dimensions": [["LogGroup"]],
        "Metrics": [{"Name": n, "Unit": "Count"}
                    for n in ("Events", "Errors", "FailedLogins", "Http5xx")]}]},
        "LogGroup": group.log_group, "Events": group.events, "Errors": group.errors,
        "FailedLogins": group.failed_logins, "Http5xx": group.http_5xx}
    return _dumps(doc)


# ---------------------------------------------------------------------------------------------
# Decoding (decode.rs) and the handler.


class DecodeError(Exception):
    def __init__(self, stage, message):
        super().__init__(message)
        self.stage = stage


class HandlerError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def decompress(data, cap):
    """base64 (standard, padded; surrounding white space ignored) → every concatenated gzip
    member, refusing to produce more than `cap` bytes."""
    if type(data) is not str:
        raise DecodeError("json", "payload data is not a string")
    data = data.strip(" \t\n\r\x0c")
    if not data:
        raise DecodeError("empty", "payload data is empty")
    try:
        compressed = binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError) as e:
        raise DecodeError("base64", f"payload data is not valid base64: {e}") from None
    if not compressed:
        raise DecodeError("empty", "payload data is empty")
    out, total, member, rest = [], 0, 0, compressed
    while rest:
        member += 1
        offset = len(compressed) - len(rest)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(rest, cap + 1 - total)
        except zlib.error:
            chunk = None
        if chunk is not None:
            total += len(chunk)
            out.append(chunk)
            if total > cap or inflater.unconsumed_tail:
                raise DecodeError("too_large", "payload decompresses to more than "
                                  f"MAX_DECOMPRESSED_BYTES ({cap} bytes); refusing to inflate "
                                  "further")
        if chunk is None or not inflater.eof:
            raise DecodeError("gzip", f"payload data is not valid gzip: gzip member {member} "
                              f"(at byte {offset}) is corrupt or truncated")
        rest = inflater.unused_data
    return b"".join(out)


def parse(buffer, check_events=True):
    """The subscription document, with the shape checks serde applies in the Rust code (those of
    each event in a separate pass only if `check_events`: else Group.add_events makes them)."""
    if buffer.lstrip(b" \t\n\r\x0c")[:1] != b"{":
        raise DecodeError("json", "decompressed payload is not a JSON object")
    try:
        text = buffer.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("json", "decompressed payload is not valid UTF-8 (first invalid byte "
                          f"at offset {e.start})") from None
    try:
        doc = _loads(text)
    except (ValueError, RecursionError) as e:
        raise DecodeError("json", "decompressed payload is not a CloudWatch Logs subscription "
                          f"document: {e}") from None
    for key in ("owner", "logGroup", "logStream"):
        if type(doc.get(key, "")) is not str:
            raise DecodeError("json", f"{key} is not a string")
    events = doc.get("logEvents", [])
    if type(events) is not list:
        raise DecodeError("json", "logEvents is not an array")
    if check_events:
        for index, event in enumerate(events):
            _check_event(index, event)
    kind = doc.get("messageType")
    if kind not in (None, "DATA_MESSAGE", "CONTROL_MESSAGE"):
        raise DecodeError("message_type", f"unsupported messageType {str(kind)[:64]!r} "
                          "(expected DATA_MESSAGE or CONTROL_MESSAGE)")
    return doc


def _config_from_env():
    def number(name, default, minimum):
        raw = os.environ.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or int(raw) < minimum:
            raise HandlerError("ConfigError", f"{name}={raw!r} is invalid")
        return int(raw)

    mode = os.environ.get("METRICS_MODE", "emf").lower()
    if mode not in ("emf", "off", "none"):
        raise HandlerError("ConfigError", f"METRICS_MODE={mode!r}: this port supports emf, off")
    return {
        "metrics": mode == "emf",
        "namespace": os.environ.get("METRICS_NAMESPACE", "LogProcessor"),
        "failed_login_threshold": number("FAILED_LOGIN_THRESHOLD", 5, 1),
        "error_alert_threshold": number("ERROR_ALERT_THRESHOLD", 10, 1),
        "cooldown_seconds": number("ALERT_COOLDOWN_SECONDS", 300, 0),
        "max_decompressed_bytes": number("MAX_DECOMPRESSED_BYTES", 64 * 1024 * 1024, 1024),
        "region": os.environ.get("AWS_REGION"),
    }


class Processor:
    """Configuration and the warm container's alert cooldown; `handle` is one invocation."""

    def __init__(self, config):
        self.config = config
        self.cooldown = Cooldown(config["cooldown_seconds"])

    def add_payload(self, data, batch, check_events=True):
        doc = parse(decompress(data, self.config["max_decompressed_bytes"]), check_events)
        ids = (doc.get("logGroup", ""), doc.get("logStream", ""))
        if doc.get("messageType") == "CONTROL_MESSAGE":
            return ids, True
        batch.add_payload(doc)
        return ids, False

    def handle(self, body, out, err):
        """One invocation: the event's bytes in; EMF lines on `out`, alerts on `err`; returns
        the response."""
        try:
            event = _loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        except ValueError as e:
            raise HandlerError("InvalidEvent", f"the event is not valid JSON: {e}") from None
        if type(event) is not dict:
            raise HandlerError("InvalidEvent", "the event is not a JSON object")
        awslogs, records = event.get("awslogs"), event.get("Records")
        if awslogs is not None:
            return self.handle_direct(awslogs.get("data") if type(awslogs) is dict else None,
                                      out, err)
        if records is not None:
            return self.handle_kinesis(records, out, err)
        raise HandlerError("UnrecognisedEvent", "the event is neither a CloudWatch Logs "
                           "subscription ({\"awslogs\":{\"data\":…}}) nor a Kinesis batch "
                           "({\"Records\":[…]})")

    def handle_direct(self, data, out, err):
        batch = Batch(self.config["failed_login_threshold"])
        try:
            (log_group, log_stream), control = self.add_payload(data, batch, False)
        except DecodeError as e:
            raise HandlerError("MalformedPayload",
                               f"malformed CloudWatch Logs payload ({e.stage}): {e}") from None
        response = {"log_group": log_group, "log_stream": log_stream, "events": 0, "errors": 0,
                    "failed_logins": 0, "http_5xx": 0, "alerts_published": 0}
        if control:
            return response
        groups = batch.finish()
        response["alerts_published"] = self.deliver(groups, out, err)
        if groups:
            g = groups[0]
            response.update(events=g.events, errors=g.errors, failed_logins=g.failed_logins,
                            http_5xx=g.http_5xx)
        return response

    def handle_kinesis(self, records, out, err):
        batch = Batch(self.config["failed_login_threshold"])
        failures = []
        for index, record in enumerate(records if type(records) is list else []):
            payload = record.get("kinesis") if type(record) is dict else None
            payload = payload if type(payload) is dict else {}
            sequence = payload.get("sequenceNumber")
            if type(sequence) is not str or not sequence:
                raise HandlerError("MissingSequenceNumber", f"Kinesis record {index} has no "
                                   "sequenceNumber, so it cannot be reported as a batch item "
                                   "failure")
            try:
                if payload.get("data") is None:
                    raise DecodeError("empty", "payload data is empty")
                self.add_payload(payload["data"], batch)
            except DecodeError as e:
                _write(err, "WARN malformed Kinesis record reported as a batch item failure "
                       f"sequence_number={sequence} stage={e.stage!r} error={e}\n")
                failures.append({"itemIdentifier": sequence})
        self.deliver(batch.finish(), out, err)
        return {"batchItemFailures": failures}

    def deliver(self, groups, out, err):
        """Alerts first (each recorded in the cooldown), then metrics. Without an SNS client
        every alert is logged, as the Rust binary does without ALERT_TOPIC_ARN, so none counts
        as published."""
        now_ns = time.time_ns()
        for group in groups:
            for alert in build_alerts(group, self.config, now_ns):
                if not self.cooldown.check(alert, now_ns):
                    continue
                _write(err, "WARN alert not published: ALERT_TOPIC_ARN is not set "
                       f"kind=\"{alert['kind']}\" log_group={alert['log_group']} "
                       f"subject={subject(alert)} alert={_dumps(alert)}\n")
                self.cooldown.sent(alert, now_ns)
        if self.config["metrics"] and groups:
            _write(out, "".join(render_emf(self.config["namespace"], g, now_ns) + "\n"
                                for g in groups))
        return 0


# ---------------------------------------------------------------------------------------------
# Command line.


def _run_once(processor, body):
    response = processor.handle(body, sys.stdout, sys.stderr)
    _write(sys.stdout, _dumps(response) + "\n")


def main(path):
    processor = Processor(_config_from_env())
    started = time.perf_counter()
    with open(path, "rb") as f:
        _run_once(processor, f.read())
    print(f"python port: {time.perf_counter() - started:.3f} s", file=sys.stderr)


def warm(path, invocations):
    """Per-invocation time in one interpreter, as a warm Lambda container runs invocation after
    invocation: the event is read before the clock starts, everything else is timed."""
    processor = Processor(_config_from_env())
    times = []
    for _ in range(invocations):
        with open(path, "rb") as f:
            body = f.read()
        started = time.perf_counter()
        _run_once(processor, body)
        times.append((time.perf_counter() - started) * 1e3)
    rest = sorted(times[1:])
    print(f"python port warm invocations: first {times[0]:.2f} ms, then best {rest[0]:.2f} ms, "
          f"median {rest[len(rest) // 2]:.2f} ms ({invocations} invocations)", file=sys.stderr)


def _fixture_cases(root):
    """(label, kinds, user, source, probe or None, message) of both fixture files, as
    shared/src/logs/classify_tests.rs reads them."""
    base = os.path.join(root, "shared", "tests", "fixtures", "logs")
    with open(os.path.join(base, "classify.txt"), encoding="utf-8") as f:
        for number, line in enumerate(f.read().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(" | ", 3)
            kinds = {k.strip() for k in parts[0].split(",")} - {"none"}
            opt = [None if p.strip() == "-" else p.strip() for p in parts[1:3]]
            message = parts[3]
            if not message.startswith("{"):  # JSON fixtures keep their own escapes
                message = message.replace("\\t", "\t").replace("\\n", "\n")
            yield f"classify.txt:{number}", kinds, opt[0], opt[1], None, message
    with open(os.path.join(base, "corpus.tsv"), encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            row = line.split("\t", 7)
            kinds = {k for k, flag in (("error", row[1]), ("5xx", row[2])) if flag == "y"}
            if row[3] != "n":
                kinds.add("login")
            opt = [None if p == "-" else p for p in row[4:6]]
            message = row[7].replace("<TAB>", "\t").replace("<NL>", "\n")
            yield f"corpus.tsv #{row[0]}", kinds, opt[0], opt[1], row[3] == "p", message


def check_fixtures(root):
    failures, total = [], 0
    for label, kinds, user, source, probe, message in _fixture_cases(root):
        total += 1
        error, http_5xx, login = classify(message)
        ok = (error == ("error" in kinds) and http_5xx == ("5xx" in kinds)
              and (login is not None) == ("login" in kinds))
        if ok and login is not None:
            ok = login[0] == user and login[1] == source
            if probe is not None:
                ok = ok and (login[2] is not None) == probe
        if not ok:
            failures.append(f"{label}: want {sorted(kinds)} user={user!r} source={source!r}"
                            f"{'' if probe is None else f' probe={probe}'}; got error={error} "
                            f"5xx={http_5xx} login={login}\n    {message}")
    for failure in failures:
        print(failure)
    print(f"{total - len(failures)} of {total} labelled lines classified as labelled")
    return 1 if failures else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--check-fixtures"]:
        here = os.path.dirname(os.path.abspath(__file__))
        sys.exit(check_fixtures(args[1] if len(args) > 1 else os.path.join(here, "..", "..")))
    event_path = "target/bench/log-processor-event.json"
    if args and not args[0].startswith("--"):
        event_path = args[0]
    try:
        if "--repeat" in args:
            warm(event_path, max(2, int(args[args.index("--repeat") + 1])))
        else:
            main(event_path)
    except HandlerError as e:
        sys.stdout.flush()
        print(_dumps({"errorType": e.error_type, "errorMessage": str(e)}), file=sys.stderr)
        sys.exit(1)
