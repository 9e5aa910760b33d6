#!/usr/bin/env bash
# Memory of the shown window over many track changes and long playing (issue #19: "memory after
# 1 000 track changes and an hour of playing with the window shown grows by < 10 MB"). Plays a
# folder of TRACKS short tracks (3.6 s each, hard links of one tone: a row and a track change
# each) with the window shown on Xvfb and the PulseAudio null sink, and prints the tree's total
# PSS and WebKit's web process's own every INTERVAL seconds, with the track changes counted so
# far (read from the title MPRIS shows, "track NNNN": the folder plays in order).
#
#   tests/bench/soak-window.sh [TRACKS] [INTERVAL] [APP]   (defaults: 1000 tracks, about an
#                                                            hour; every 300 s; the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
tracks=${1:-1000}
interval=${2:-300}
app=${3:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
for tool in playerctl ffmpeg; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/music" "$work/home"
ffmpeg -v error -f lavfi -i "sine=frequency=330:duration=3.6:sample_rate=44100" \
  -ac 2 -c:a flac "$work/tone.flac"
for i in $(seq -w 1 "$tracks"); do ln "$work/tone.flac" "$work/music/track $i.flac"; done

# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh
web_pss() { # PID -> PSS (MiB) of the WebKit web processes below it
  local total=0 p kib
  for p in $(descendants "$1"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = WebKitWebProces ] || continue
    kib=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  awk -v k="$total" 'BEGIN { printf "%.1f", k / 1024 }'
}

HOME=$work/home LYREBIRD_CONFIG_DIR=$work/config LYREBIRD_NO_DEMO=1 LYREBIRD_LIBRARY_DIRS=$work/music \
  "$app" "$work/music" >"$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ "$(playerctl -p lyrebird status 2>/dev/null)" = Playing ] && break
  sleep 0.2
done
[ "$(playerctl -p lyrebird status 2>/dev/null)" = Playing ] || { cat "$work/app.log" >&2; exit 1; }
changes=0
started=$(date +%s)
next_sample=$started
echo "| minutes | track changes | tree PSS (MiB) | web process PSS (MiB) |"
echo "|---:|---:|---:|---:|"
while kill -0 "$pid" 2>/dev/null; do
  title=$(playerctl -p lyrebird metadata xesam:title 2>/dev/null || true)
  if [[ $title =~ ([0-9]+)$ ]]; then
    changes=$((10#${BASH_REMATCH[1]} - 1))
  fi
  now=$(date +%s)
  if [ "$now" -ge "$next_sample" ]; then
    echo "| $(( (now - started) / 60 )) | $changes | $(pss_mib "$pid") | $(web_pss "$pid") |"
    next_sample=$((next_sample + interval))
  fi
  status=$(playerctl -p lyrebird status 2>/dev/null || true)
  if [ "$status" = Stopped ] || { [ "$changes" -ge $((tracks - 1)) ] && [ "$status" != Playing ]; }; then
    break
  fi
  sleep 1
done
echo "| $(( ($(date +%s) - started) / 60 )) | $changes | $(pss_mib "$pid") | $(web_pss "$pid") |"
stop "$pid"
