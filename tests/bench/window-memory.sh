#!/usr/bin/env bash
# Where the shown window's memory is (issue #19: ≤ 1.15 × an empty Tauri 2 window built the
# same way). Starts the app playing a FLAC with its window shown (Xvfb, software drawing where
# there is no GPU, the PulseAudio null sink), samples its tree's PSS at 5 s and at SECONDS,
# then the empty window (`tests/bench/empty-window`, release, WebKit's compositing off as
# Lyrebird picks it here) the same way, one after the other (shared pages split their PSS
# between processes that map them at once), and prints both trees by mapping
# (`tests/bench/smaps.py`).
#
#   tests/bench/window-memory.sh [SECONDS] [APP]    (SECONDS default 30; APP a built lyrebird,
#                                                    default the release build)
#   CODE=1   also which crates' code is resident in the app's binary (`code-pages.py`)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-30}
target="${CARGO_TARGET_DIR:-$PWD/target}"
app=${2:-"$target/release/lyrebird"}
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }
cargo build -q --release -j2 -p empty-window --features tauri/custom-protocol
empty="$target/release/empty-window"

work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/music"
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=300:sample_rate=44100" \
  -ac 2 -c:a flac "$work/music/music.flac"

# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh

echo "| tree, window shown | PSS at 5 s (MiB) | PSS at ${seconds} s (MiB) |"
echo "|---|---:|---:|"
start_lyrebird "$app" "$work"
sleep 5
early=$(pss_mib "$APP_PID")
sleep $((seconds > 8 ? seconds - 8 : 0))
echo "| Lyrebird, playing | $early | $(pss_mib "$APP_PID") |"
python3 tests/bench/smaps.py save "$APP_PID" Lyrebird >"$work/lyrebird.json"
if [ "${CODE:-0}" = 1 ]; then python3 tests/bench/code-pages.py "$APP_PID" >"$work/code.md"; fi
stop "$APP_PID"

WEBKIT_DISABLE_COMPOSITING_MODE=1 "$empty" >/dev/null 2>&1 &
empty_pid=$!
xdotool search --sync --onlyvisible --pid "$empty_pid" >/dev/null
sleep 5
early=$(pss_mib "$empty_pid")
sleep $((seconds > 8 ? seconds - 8 : 0))
echo "| empty Tauri 2 window, idle | $early | $(pss_mib "$empty_pid") |"
python3 tests/bench/smaps.py save "$empty_pid" "empty window" >"$work/empty.json"
stop "$empty_pid"

echo
python3 tests/bench/smaps.py table "$work/lyrebird.json" "$work/empty.json"
if [ -f "$work/code.md" ]; then echo; cat "$work/code.md"; fi
