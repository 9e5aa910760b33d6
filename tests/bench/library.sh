#!/usr/bin/env bash
# Start-up, scrolling and typing at 100 000 tracks (issue #19): the release app under Xvfb,
# driven over WebDriver (tauri-driver), its frames timed by the web view itself. See
# tests/bench/library.mjs for what is measured.
#
#   tests/bench/library.sh [WARM_RUNS] [COLD_RUNS] [APP]   (defaults 5, 3, the release build)
#
# Beside it, the floor: an empty Tauri 2 window (tests/bench/empty-window) to its first frame.
# The 100 000 files are the ones `index_bench` writes (tagged one-frame MP3s, English and
# Chinese titles), made once under $LYREBIRD_BENCH_LIBRARY (default
# /var/cache/lyrebird/library-100k). Cold runs drop the page cache: they need root.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
warm=${1:-5}
cold=${2:-3}
app=${3:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
music=${LYREBIRD_BENCH_LIBRARY:-/var/cache/lyrebird/library-100k}
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }
if [ ! -d "$music" ]; then
  cargo run -q --release -j2 -p lyrebird-library --example index_bench -- 100000 "$music" >&2
fi
[ "$(id -u)" = 0 ] || cold=0
# The floor beside it: an empty Tauri 2 window launched the same way (built if missing).
empty="${CARGO_TARGET_DIR:-$PWD/target}/release/empty-window"
[ -x "$empty" ] || cargo build -q --release -j2 -p empty-window --features tauri/custom-protocol || true
[ -x "$empty" ] && export LYREBIRD_EMPTY_APP=$empty
LYREBIRD_APP=$app node tests/bench/library.mjs "$music" "$warm" "$cold"
