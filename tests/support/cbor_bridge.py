#!/usr/bin/env python3
"""Test-support bridge: CloudWatch rpc-v2-cbor (what aws-sdk-cloudwatch speaks) -> moto's JSON protocol.

aws-sdk-cloudwatch sends `POST /service/GraniteServiceVersion20100801/operation/<Op>` with a CBOR
body. moto understands CloudWatch's awsJson1_0 protocol (`POST /`, `X-Amz-Target:
GraniteServiceVersion20100801.<Op>`), so this bridge:

1. decodes the CBOR request (gzip-compressed bodies too: PutMetricData uses request compression),
   turning CBOR timestamps (tag 1) into epoch seconds and blobs into base64, as JSON expects;
2. forwards it to moto, keeping the SigV4 headers (moto routes on the credential scope and does not
   verify signatures);
3. re-encodes moto's JSON reply as CBOR, using botocore's service model to find the timestamp
   (-> tag 1 epoch seconds), blob (-> bytes) and number members of each output shape;
4. maps errors to `{"__type", "message"}` with the same HTTP status and keeps
   `x-amzn-query-error` (the SDK uses it to pick the modelled error type).

Usage: cbor_bridge.py --moto http://127.0.0.1:PORT [--port 0]
Prints `LISTENING <port>` on stdout once it accepts connections. Exits when its parent dies.
"""

import argparse
import base64
import datetime as dt
import gzip
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2

SERVICE_ID = "GraniteServiceVersion20100801"
PATH_PREFIX = f"/service/{SERVICE_ID}/operation/"
UTC = dt.timezone.utc

MODEL = botocore.session.get_session().get_service_model("cloudwatch")
OPERATIONS = set(MODEL.operation_names)


def cbor_to_json(value):
    """CBOR-decoded request value -> JSON-protocol value (no shape needed: types are explicit)."""
    if isinstance(value, dict):
        return {k: cbor_to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cbor_to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        seconds = value.timestamp()
        return int(seconds) if seconds == int(seconds) else seconds
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def to_datetime(value):
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return dt.datetime.fromtimestamp(float(value), tz=UTC)
        except ValueError:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def json_to_cbor(value, shape):
    """moto's JSON reply value -> the value CBOR must carry for `shape` (botocore Shape)."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        out = {}
        for key, member in value.items():
            if member is None:
                continue  # rpc-v2-cbor omits absent members; null would break non-sparse shapes
            out[key] = json_to_cbor(member, shape.members.get(key))
        return out
    if kind == "list":
        return [json_to_cbor(v, shape.member) for v in value] if isinstance(value, list) else value
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {k: json_to_cbor(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return to_datetime(value)
    if kind == "blob":
        return base64.b64decode(value) if isinstance(value, str) else value
    if kind in ("double", "float") and isinstance(value, (int, float, str)):
        return float(value)
    if kind in ("integer", "long") and isinstance(value, (int, float, str)):
        return int(float(value))
    if kind == "boolean" and isinstance(value, str):
        return value.lower() == "true"
    return value


def encode(document):
    return cbor2.dumps(document, datetime_as_timestamp=True, timezone=UTC)


class Bridge(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    moto = None  # urllib.parse result, set in main()
    verbose = False

    def log_message(self, fmt, *args):  # noqa: N802 (http.server API)
        if self.verbose:
            sys.stderr.write("cbor-bridge: " + (fmt % args) + "\n")

    def send_cbor(self, status, document, extra_headers=()):
        body = encode(document)
        self.send_response(status)
        self.send_header("Content-Type", "application/cbor")
        self.send_header("smithy-protocol", "rpc-v2-cbor")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_error_document(self, status, error_type, message, extra_headers=()):
        self.send_cbor(status, {"__type": error_type, "message": message}, extra_headers)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(chunks)
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "gzip" in self.headers.get("Content-Encoding", "").lower():
            body = gzip.decompress(body)
        return body

    def do_GET(self):  # noqa: N802
        # Liveness probe for the harness.
        self.send_cbor(200, {"bridge": "ok"})

    def do_POST(self):  # noqa: N802
        try:
            body = self.read_body()
        except Exception as exc:  # malformed framing: report it like a service would
            self.send_error_document(400, "SerializationException", f"cannot read request body: {exc}")
            return
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith(PATH_PREFIX):
            self.send_error_document(404, "UnknownOperationException", f"not an rpc-v2-cbor path: {path}")
            return
        operation = path[len(PATH_PREFIX):]
        if operation not in OPERATIONS:
            self.send_error_document(404, "UnknownOperationException", f"unknown operation {operation}")
            return
        try:
            request = cbor2.loads(body) if body else {}
        except Exception as exc:
            self.send_error_document(400, "SerializationException", f"invalid CBOR body: {exc}")
            return
        payload = json.dumps(cbor_to_json(request or {})).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{SERVICE_ID}.{operation}",
            "Content-Length": str(len(payload)),
        }
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "User-Agent", "amz-sdk-invocation-id"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        try:
            conn = http.client.HTTPConnection(self.moto.hostname, self.moto.port, timeout=60)
            conn.request("POST", "/", body=payload, headers=headers)
            reply = conn.getresponse()
            reply_body = reply.read()
            reply_headers = {k.lower(): v for k, v in reply.getheaders()}
            conn.close()
        except Exception as exc:
            self.send_error_document(503, "ServiceUnavailable", f"moto unreachable: {exc}")
            return
        self.relay(operation, reply.status, reply_headers, reply_body)

    def relay(self, operation, status, headers, body):
        passthrough = []
        if "x-amzn-requestid" in headers:
            passthrough.append(("x-amzn-requestid", headers["x-amzn-requestid"]))
        if status >= 300:
            if "x-amzn-query-error" in headers:
                passthrough.append(("x-amzn-query-error", headers["x-amzn-query-error"]))
            try:
                document = json.loads(body) if body else {}
            except ValueError:
                document = {}
            if not isinstance(document, dict):
                document = {}
            error_type = (
                document.get("__type")
                or headers.get("x-amzn-errortype")
                or ("InternalFailure" if status >= 500 else "UnknownError")
            )
            message = (
                document.get("message")
                or document.get("Message")
                or body.decode("utf-8", "replace")[:500]
            )
            self.send_error_document(status, error_type, message, passthrough)
            return
        try:
            document = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            self.send_error_document(500, "InternalFailure", f"moto sent non-JSON for {operation}: {exc}")
            return
        output_shape = MODEL.operation_model(operation).output_shape
        self.send_cbor(status, json_to_cbor(document, output_shape) if output_shape else {}, passthrough)


def exit_when_orphaned(parent_pid):
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto", required=True, help="moto endpoint, e.g. http://127.0.0.1:5000")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    Bridge.moto = urllib.parse.urlsplit(args.moto)
    Bridge.verbose = args.verbose or bool(os.environ.get("CBOR_BRIDGE_VERBOSE"))
    server = ThreadingHTTPServer((args.host, args.port), Bridge)
    server.daemon_threads = True
    threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
