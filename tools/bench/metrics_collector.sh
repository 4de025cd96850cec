#!/usr/bin/env bash
# metrics-collector timings.
#
# 1. The collector's own work (select, plan, build requests, merge pages, build + serialise the
#    summary) for 10,000 series, optimised build, no I/O:
#       tools/bench/metrics_collector.sh core [SERIES] [ITERATIONS]
# 2. A whole run against moto through the CBOR bridge (the real SDK, real HTTP) for 10,000
#    series: seeds moto with PutMetricData, runs the handler once, prints time and API calls:
#       tools/bench/metrics_collector.sh emulator [SERIES]
# Without arguments both run. Needs the tools venv (scripts/setup) for the emulator part.
set -euo pipefail
cd "$(dirname "$0")/../.."

what="${1:-all}"

core() {
  local series="${1:-10000}" iterations="${2:-20}"
  # Release optimisation without the release profile's LTO/codegen-units=1, so the benchmark
  # builds in minutes on 2 cores; the hot code is the same.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo run --quiet --release -p metrics-collector --example core_bench -- "$series" "$iterations"
}

emulator() {
  local series="${1:-10000}"
  BENCH_SERIES="$series" cargo test --quiet -p integration-tests --test metrics_collector_emulator \
    ten_thousand_series_timing -- --ignored --nocapture 2>&1 | grep -E '^BENCH|test result|panicked'
}

case "$what" in
  core) shift; core "$@" ;;
  emulator) shift; emulator "$@" ;;
  all) core; emulator ;;
  *) echo "usage: $0 [core [SERIES] [ITERATIONS] | emulator [SERIES]]" >&2; exit 2 ;;
esac
