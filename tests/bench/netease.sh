#!/usr/bin/env bash
# Benchmark (issue #18): from a click on a NetEase track to its first audio through the NetEase
# emulator on loopback, against the emulator's own answers. The real actor, NetEase source and
# audio thread (streams included), on a real-time PulseAudio null sink.
#
#   tests/bench/netease.sh [ROUNDS]     # writes nothing; paste the result into docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_BENCH_SESSION:-}" ]; then
  export LYREBIRD_BENCH_SESSION=1
  exec tests/support/desktop-session.sh "$0" "$@"
fi
[ -d node_modules/@neteasecloudmusicapienhanced/api ] || npm ci --no-audit --no-fund
cargo run --release -j2 -q -p lyrebird-audio --example netease_first_audio -- "${1:-50}"
