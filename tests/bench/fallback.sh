#!/usr/bin/env bash
# Benchmark (issue 16): from a server track whose connection is refused to the library copy's
# first audio, against the copy's own first audio; and with the server already known to be
# down. The real actor and audio thread, on a real-time PulseAudio null sink.
#
#   tests/bench/fallback.sh [PLAYS]     # writes nothing; paste the result into docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_BENCH_SESSION:-}" ]; then
  export LYREBIRD_BENCH_SESSION=1
  exec tests/support/desktop-session.sh "$0" "$@"
fi
plays=${1:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Four minutes of music-like sound (pink noise), as FLAC.
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=240:sample_rate=44100" \
  -ac 2 -c:a flac "$work/copy.flac"
cargo run --release -j2 -q -p lyrebird-audio --example fallback_latency -- "$work/copy.flac" "$plays"
