#!/usr/bin/env bash
# Whole-process timing of `log-processor --event` on the maximal synthetic payload, against the
# same job in Python, two ways: `lean` (tools/bench/log_processor_baseline.py, the one-pass
# sketch the issue describes: gzip + json + compiled re; it gets the kinds of 166 of the 716
# labelled lines wrong) and `port` (tools/bench/log_processor_python_port.py, every rule of the
# Rust code, checked against the same fixtures by scripts/test). Prints wall times (best and median of RUNS), MB/s of
# decompressed JSON, peak RSS (/usr/bin/time -v) and the speed-ups.
#
#   tools/bench/log_processor_timing.sh            # builds what is missing, RUNS=10
#   RUNS=20 SKIP_BUILD=1 tools/bench/log_processor_timing.sh
#
# Timed by tools/bench/time_command.py: pinned to one core (the target is "one core"), the two
# commands interleaved run by run, no helper process inside the timed span, peak RSS from
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-10}"
EVENT="target/bench/log-processor-event.json"
BIN="target/release/log-processor"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release -p log-processor --bin log-processor --example bench_event
fi
[[ -f "$EVENT" ]] || target/release/examples/bench_event "$EVENT"

JSON_BYTES=$(python3 -c 'import base64,gzip,json,sys; print(len(gzip.decompress(base64.b64decode(json.load(open(sys.argv[1]))["awslogs"]["data"]))))' "$EVENT")
EVENT_BYTES=$(stat -c %s "$EVENT")

export METRICS_MODE=emf AWS_LAMBDA_LOG_LEVEL=warn RUST_LOG=warn
unset ALERT_TOPIC_ARN || true

echo "event: $EVENT ($EVENT_BYTES bytes; $JSON_BYTES bytes of decompressed JSON)"
# Interleaved: each round runs all three once, so the machine's drift reaches both alike.
python3 tools/bench/time_command.py "$RUNS" "$JSON_BYTES" \
  rust -- "$BIN" --event "$EVENT" \
  --- lean -- python3 tools/bench/log_processor_baseline.py "$EVENT" \
  --- port -- python3 tools/bench/log_processor_python_port.py "$EVENT"
"$BIN" --event "$EVENT" | tail -1
