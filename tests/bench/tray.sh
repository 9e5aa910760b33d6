#!/usr/bin/env bash
# Playing from the tray, side by side in one run: CPU (% of one core) and memory (total PSS of
# the process tree) of the release app playing a FLAC with its window shown, then closed to the
# tray (window and web view destroyed), next to mpv and Quod Libet playing the same file on the
# same PulseAudio null sink.
#
#   tests/bench/tray.sh [SECONDS]      (prints a Markdown table; SECONDS per CPU sample, default 30)
#   NO_BUILD=1 tests/bench/tray.sh ...  (measure the release build already in the target folder)
#
# Needs mpv and quodlibet besides the test tools: `apt-get install mpv quodlibet`.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-30}
target="${CARGO_TARGET_DIR:-$PWD/target}"
for tool in mpv quodlibet ffmpeg playerctl; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install $tool)" >&2; exit 1; }
done
# The release app, page embedded (NO_BUILD=1: measure the one already built).
[ -n "${NO_BUILD:-}" ] || npx tauri build --no-bundle >/dev/null 2>&1

work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
# The FLAC is in the app's library folder (watched while it plays), as a user's would be; the
# app's own files (config, caches under HOME) are not.
mkdir -p "$work/music"
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=600:sample_rate=44100" \
  -f lavfi -i "aevalsrc=0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277*t):s=44100:d=600" \
  -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a flac "$work/music/music.flac"

# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh
cpu() { cpu_percent "$1" "$seconds"; }
pss() { pss_mib "$1"; }
procs() { descendants "$1" | wc -l; }

echo "| player, playing the FLAC | processes | CPU (% of one core) | total PSS (MiB) |"
echo "|---|---:|---:|---:|"
start_lyrebird "$target/release/lyrebird" "$work"
pid=$APP_PID
echo "| Lyrebird, release, window shown (Xvfb, software rendering) | $(procs $pid) | $(cpu $pid) | $(pss $pid) |"
tests/support/close-window.py Lyrebird
sleep 6 # the trim runs 3 s after the last window closed (src-tauri/src/trim.rs)
[ "$(playerctl -p lyrebird status)" = "Playing" ] || { echo "not playing after closing to the tray" >&2; exit 1; }
echo "| Lyrebird, release, closed to the tray (no window, no web view) | $(procs $pid) | $(cpu $pid) | $(pss $pid) |"
# Pages the trim dropped fault back as the app runs: look again after two more minutes, a
# seek and a pause / play from the media controls.
sleep 100
playerctl -p lyrebird position 300
playerctl -p lyrebird pause; sleep 1; playerctl -p lyrebird play
echo "| Lyrebird, the same 2 minutes later (after a seek, pause and play over MPRIS) | $(procs $pid) | $(cpu $pid) | $(pss $pid) |"
stop $pid

mpv --no-video --no-config --ao=pulse "$work/music/music.flac" >/dev/null 2>&1 &
pid=$!
echo "| mpv $(mpv --version | awk 'NR==1 { print $2 }') (--no-video --ao=pulse) | $(procs $pid) | $(cpu $pid) | $(pss $pid) |"
stop $pid

qlhome="$work/ql-home"
start_quodlibet "$qlhome" "$work/music/music.flac"
pid=$QL_PID
echo "| Quod Libet $(dpkg-query -W -f '${Version}' quodlibet) (window hidden) | $(procs $pid) | $(cpu $pid) | $(pss $pid) |"
stop_quodlibet "$qlhome"
