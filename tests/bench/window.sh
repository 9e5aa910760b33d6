#!/usr/bin/env bash
# The window's cost (issue #19): CPU (% of one core) of the app playing a FLAC with its window
# shown, per process (the app, WebKit's web process, its network process), then paused, then
# playing with the window unmapped (what minimising or covering it does to the web view: the
# page is told it is hidden), next to Rhythmbox playing the same file with its window shown,
# on the same Xvfb display and PulseAudio null sink, and an empty Tauri 2 window (the memory
# target's baseline). Memory: total PSS of each tree.
#
#   tests/bench/window.sh [SECONDS] [APP]   (SECONDS per sample, default 20; APP a built
#                                            lyrebird, default the release build)
#
# Needs rhythmbox, xdotool and playerctl besides the test tools:
# `apt-get install rhythmbox xdotool playerctl`.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-20}
app=${2:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
for tool in rhythmbox rhythmbox-client xdotool playerctl ffmpeg; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }

work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/music"
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=600:sample_rate=44100" \
  -f lavfi -i "aevalsrc=0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277*t):s=44100:d=600" \
  -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a flac "$work/music/music.flac"

# ROWS=N: N more rows in the library (hard links of a short tone), to see the cost of a long list
# on screen.
if [ "${ROWS:-0}" -gt 0 ]; then
  mkdir -p "$work/music/rows"
  ffmpeg -v error -f lavfi -i "sine=frequency=440:duration=2:sample_rate=44100" -c:a flac "$work/tone.flac"
  for i in $(seq -w 1 "$ROWS"); do ln "$work/tone.flac" "$work/music/rows/tone $i.flac"; done
fi

# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh
hz=$(getconf CLK_TCK)

# CPU of each process of the tree by name, over SECONDS after a 3 s settle: "name=% name=% ...".
per_process() {
  local root=$1 pid
  sleep 3
  declare -A before after names
  for pid in $(descendants "$root"); do
    names[$pid]=$(cat "/proc/$pid/comm" 2>/dev/null || echo gone)
    before[$pid]=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
  done
  sleep "$seconds"
  local out="" total=0 d
  for pid in "${!before[@]}"; do
    after[$pid]=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo "${before[$pid]}")
    d=$((after[$pid] - before[$pid]))
    total=$((total + d))
    out+="${names[$pid]} $(awk -v d=$d -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", 100 * d / hz / s }') % · "
  done
  echo "$(awk -v d=$total -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", 100 * d / hz / s }') | ${out% · }"
}

# THREADS=1: also the busiest threads of the tree while playing, shown (name, pid/tid, %).
threads() {
  local root=$1 pid tid
  declare -A before names
  for pid in $(descendants "$root"); do
    for tid in $(ls "/proc/$pid/task" 2>/dev/null); do
      names[$pid/$tid]="$(cat "/proc/$pid/comm" 2>/dev/null):$(cat "/proc/$pid/task/$tid/comm" 2>/dev/null)"
      before[$pid/$tid]=$(awk '{ print $14 + $15 }' "/proc/$pid/task/$tid/stat" 2>/dev/null || echo 0)
    done
  done
  sleep "$seconds"
  for key in "${!before[@]}"; do
    local after
    after=$(awk '{ print $14 + $15 }' "/proc/${key%/*}/task/${key#*/}/stat" 2>/dev/null || echo "${before[$key]}")
    echo "$((after - before[$key])) ${names[$key]} $key"
  done | sort -rn | head -8 | awk -v hz="$hz" -v s="$seconds" '$1 > 0 { printf "  %6.2f %%  %s (%s)\n", 100 * $1 / hz / s, $2, $3 }'
}

echo "| player, state | CPU of the tree (% of one core) | per process | total PSS (MiB) |"
echo "|---|---:|---|---:|"
start_lyrebird "$app" "$work"
pid=$APP_PID
sleep 3
# The scan of the extra rows ends first.
if [ "${ROWS:-0}" -gt 0 ]; then sleep 20; fi
echo "| Lyrebird, window shown, playing | $(per_process $pid) | $(pss_mib $pid) |"
if [ "${THREADS:-0}" = 1 ]; then threads "$pid" >&2; fi
playerctl -p lyrebird pause
echo "| Lyrebird, window shown, paused | $(per_process $pid) | |"
playerctl -p lyrebird play
window=$(xdotool search --sync --onlyvisible --pid "$pid" | head -1)
xdotool windowunmap "$window"
echo "| Lyrebird, window unmapped (minimised or covered), playing | $(per_process $pid) | |"
xdotool windowmap "$window"
stop "$pid"
# ONLY_LYREBIRD=1: leave out the empty window and Rhythmbox.
if [ "${ONLY_LYREBIRD:-0}" = 1 ]; then exit 0; fi

# The baseline of the memory target (issue #19: ≤ 1.15 × an empty Tauri 2 window built the same
# way): tests/bench/empty-window, release, shown and idle; with WebKit's compositing as it comes,
# and without it (what Lyrebird's drawing policy picks where there is no GPU, as here).
empty="${CARGO_TARGET_DIR:-$PWD/target}/release/empty-window"
if cargo build -q --release -j2 -p empty-window --features tauri/custom-protocol; then
  for mode in composited software; do
    if [ "$mode" = software ]; then
      WEBKIT_DISABLE_COMPOSITING_MODE=1 "$empty" >/dev/null 2>&1 &
    else
      "$empty" >/dev/null 2>&1 &
    fi
    empty_pid=$!
    xdotool search --sync --onlyvisible --pid "$empty_pid" >/dev/null
    sleep 5
    echo "| empty Tauri 2 window ($mode drawing), shown, idle | $(per_process $empty_pid) | $(pss_mib $empty_pid) |"
    stop "$empty_pid"
  done
fi

rb_home="$work/rhythmbox-home"
mkdir -p "$rb_home"
HOME=$rb_home rhythmbox >/dev/null 2>&1 &
rb=$!
for _ in $(seq 100); do
  HOME=$rb_home rhythmbox-client --no-start --check-running 2>/dev/null && break
  sleep 0.2
done
HOME=$rb_home rhythmbox-client --no-start --play-uri="file://$work/music/music.flac" || true
for _ in $(seq 100); do
  [ "$(playerctl -p rhythmbox status 2>/dev/null)" = "Playing" ] && break
  sleep 0.2
done
sleep 3
echo "| Rhythmbox $(rhythmbox --version 2>/dev/null | awk '{print $2}'), window shown, playing | $(per_process $rb) | $(pss_mib $rb) |"
playerctl -p rhythmbox pause || true
echo "| Rhythmbox, window shown, paused | $(per_process $rb) | |"
stop "$rb"
