#!/usr/bin/env bash
# Per-invocation time of a warm container, Rust against the same job in Python (the lean sketch
# and the faithful port, see log_processor_timing.sh): each side runs
# the maximal event INVOCATIONS times in one process (start-up paid once, not counted; the event
# is read before each invocation's clock starts). ROUNDS alternations, pinned to one CPU; prints
# each side's line and the ratio of the medians of each round.
#
#   tools/bench/log_processor_warm.sh                       # builds what is missing
#   ROUNDS=3 INVOCATIONS=30 SKIP_BUILD=1 tools/bench/log_processor_warm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-3}"
INVOCATIONS="${INVOCATIONS:-30}"
EVENT="target/bench/log-processor-event.json"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release -p log-processor --example warm_invocations --example bench_event
fi
[[ -f "$EVENT" ]] || target/release/examples/bench_event "$EVENT"

export METRICS_MODE=emf AWS_LAMBDA_LOG_LEVEL=warn RUST_LOG=warn
unset ALERT_TOPIC_ARN || true
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

median_of() { sed -n 's/.* median \([0-9.]*\) ms.*/\1/p'; }
for round in $(seq "$ROUNDS"); do
  rust=$("${pin[@]}" target/release/examples/warm_invocations "$EVENT" "$INVOCATIONS" 2>&1 >/dev/null | tail -1)
  lean=$("${pin[@]}" python3 tools/bench/log_processor_baseline.py "$EVENT" --repeat "$INVOCATIONS" 2>&1 >/dev/null | tail -1)
  port=$("${pin[@]}" python3 tools/bench/log_processor_python_port.py "$EVENT" --repeat "$INVOCATIONS" 2>&1 >/dev/null | tail -1)
  echo "round $round: $rust"
  echo "round $round: $lean"
  echo "round $round: $port"
  for side in lean port; do
    awk -v r="$(median_of <<<"$rust")" -v p="$(median_of <<<"${!side}")" -v n="$round" -v s="$side" \
      'BEGIN { printf "round %s: rust is faster than %s per warm invocation: %.1fx (medians)\n", n, s, p / r }'
  done
done
