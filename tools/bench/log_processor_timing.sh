#!/usr/bin/env bash
# Whole-process timing of `log-processor --event` on the maximal synthetic payload, against the
# same job in Python (tools/bench/log_processor_baseline.py). Prints wall times (best and median
# of RUNS), MB/s of decompressed JSON, peak RSS (/usr/bin/time -v) and the speed-up.
#
#   tools/bench/log_processor_timing.sh            # builds what is missing, RUNS=10
#   RUNS=20 SKIP_BUILD=1 tools/bench/log_processor_timing.sh
#
# Pinned to one core with taskset when available (the target is "one core").
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-10}"
EVENT="target/bench/log-processor-event.json"
BIN="target/release/log-processor"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release -p log-processor --bin log-processor --example bench_event
fi
[[ -f "$EVENT" ]] || target/release/examples/bench_event "$EVENT"

PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
JSON_BYTES=$(python3 -c 'import base64,gzip,json,sys; print(len(gzip.decompress(base64.b64decode(json.load(open(sys.argv[1]))["awslogs"]["data"]))))' "$EVENT")
EVENT_BYTES=$(stat -c %s "$EVENT")

export METRICS_MODE=emf AWS_LAMBDA_LOG_LEVEL=warn RUST_LOG=warn
unset ALERT_TOPIC_ARN || true

measure() { # label, command...
  local label=$1; shift
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N)
    "${PIN[@]}" "$@" >/dev/null 2>/tmp/lp-timing.err
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  "${PIN[@]}" /usr/bin/time -v "$@" >/dev/null 2>/tmp/lp-timing.rss
  rss=$(awk '/Maximum resident set size/ {print $6}' /tmp/lp-timing.rss)
  IFS=$'\n' sorted=($(sort -n <<<"${times[*]}")); unset IFS
  local best=${sorted[0]} median=${sorted[$(( ${#sorted[@]} / 2 ))]}
  python3 - "$label" "$best" "$median" "$rss" "$JSON_BYTES" <<'PY'
import sys
label, best, median, rss, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"{label:<10} best {best/1000:8.1f} ms  median {median/1000:8.1f} ms  "
      f"{size/1e6/(median/1e6):7.1f} MB/s (median)  peak RSS {rss/1024:6.1f} MiB")
PY
  echo "$median" > "/tmp/lp-timing.$label"
}

echo "event: $EVENT ($EVENT_BYTES bytes; $JSON_BYTES bytes of decompressed JSON); runs: $RUNS; pinned: ${PIN[*]:-no}"
measure rust "$BIN" --event "$EVENT"
measure python python3 tools/bench/log_processor_baseline.py "$EVENT"
python3 -c "import sys; r=int(open('/tmp/lp-timing.rust').read()); p=int(open('/tmp/lp-timing.python').read()); print(f'speed-up (median wall time, whole process): {p/r:.1f}x')"
"$BIN" --event "$EVENT" | tail -1
