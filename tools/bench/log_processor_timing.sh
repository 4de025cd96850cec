#!/usr/bin/env bash
# Whole-process timing of `log-processor --event` on the maximal synthetic payload, against the
# same job in Python (tools/bench/log_processor_baseline.py). Prints wall times (best and median
# of RUNS), MB/s of decompressed JSON, peak RSS (/usr/bin/time -v) and the speed-up.
#
#   tools/bench/log_processor_timing.sh            # builds what is missing, RUNS=10
#   RUNS=20 SKIP_BUILD=1 tools/bench/log_processor_timing.sh
#
# Timed by tools/bench/time_command.py: pinned to one core (the target is "one core"), no helper
# process inside the timed span, peak RSS of each child from wait4.
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

measure() { # label, command...
  local label=$1; shift
  TIMING_OUT="/tmp/lp-timing.$label" python3 tools/bench/time_command.py "$RUNS" "$label" "$JSON_BYTES" -- "$@"
}

echo "event: $EVENT ($EVENT_BYTES bytes; $JSON_BYTES bytes of decompressed JSON)"
measure rust "$BIN" --event "$EVENT"
measure python python3 tools/bench/log_processor_baseline.py "$EVENT"
python3 -c "
r = [int(x) for x in open('/tmp/lp-timing.rust').read().split()]
p = [int(x) for x in open('/tmp/lp-timing.python').read().split()]
print(f'speed-up (whole process): {p[1]/r[1]:.1f}x median, {p[0]/r[0]:.1f}x best')"
"$BIN" --event "$EVENT" | tail -1
