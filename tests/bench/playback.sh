#!/usr/bin/env bash
# Playback cost, side by side, in one run on this machine:
#   1. time to first audio (Load → first sample taken by the device), FLAC and MP3, 50 loads;
#   2. decode CPU per minute of audio: Lyrebird's decoders vs `ffmpeg -f null`;
#   3. CPU while playing a FLAC: Lyrebird's audio thread alone, the whole app (window
#      unmapped), mpv, and Quod Libet (window hidden) — all on the same PulseAudio null sink.
#
#   tests/bench/playback.sh [SECONDS]      (prints Markdown tables; SECONDS of playback, default 30)
#
# Needs mpv and quodlibet besides the test tools: `apt-get install mpv quodlibet`.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-30}
target="${CARGO_TARGET_DIR:-$PWD/target}"
for tool in mpv quodlibet ffmpeg xdotool; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install $tool)" >&2; exit 1; }
done

cargo build -q --release -j2 -p lyrebird-audio --examples
npx tauri build --no-bundle >/dev/null 2>&1 # the release app, page embedded

work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
# Five minutes of music-like sound (pink noise under a slow chord): FLAC compresses it like a
# real recording, not like a pure tone.
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=300:sample_rate=44100" \
  -f lavfi -i "aevalsrc=0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277*t)+0.1*sin(2*PI*330*t):s=44100:d=300" \
  -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a flac "$work/music.flac"
ffmpeg -v error -i "$work/music.flac" -c:a libmp3lame -b:a 320k "$work/music.mp3"
minutes=5

echo "### Time to first audio (Load → first sample taken by the device), PulseAudio null sink"
echo
for f in music.flac music.mp3; do
  "$target/release/examples/first_audio" "$work/$f" 50 | sed 's/^/    /'
done
echo

cpu_seconds() { # COMMAND... -> user+system CPU seconds of the whole run
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>&1
  awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}
echo "### Decode CPU per minute of audio (decode to nothing, best of 3)"
echo
echo "| file | Lyrebird's decoders | ffmpeg -f null |"
echo "|---|---:|---:|"
for f in music.flac music.mp3; do
  ours=() theirs=()
  for _ in 1 2 3; do
    ours+=("$(cpu_seconds "$target/release/examples/decode_all" "$work/$f")")
    theirs+=("$(cpu_seconds ffmpeg -v error -threads 1 -i "$work/$f" -f null -)")
  done
  best() { printf '%s\n' "$@" | sort -n | head -1; }
  printf '| %s | %.3f s | %.3f s |\n' "$f" \
    "$(awk -v s="$(best "${ours[@]}")" -v m=$minutes 'BEGIN { print s / m }')" \
    "$(awk -v s="$(best "${theirs[@]}")" -v m=$minutes 'BEGIN { print s / m }')"
done
echo

# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh
playing_cpu() { cpu_percent "$1" "$seconds"; }

echo "### CPU while playing the FLAC (${seconds} s, % of one core, whole process tree)"
echo
echo "| player | CPU |"
echo "|---|---:|"
"$target/release/examples/play" "$work/music.flac" >/dev/null 2>&1 &
pid=$!
echo "| Lyrebird's audio thread alone (\`play\` example) | $(playing_cpu $pid) % |"
stop $pid

home="$work/lyrebird-home"
mkdir -p "$home"
HOME=$home LYREBIRD_CONFIG_DIR=$home/config LYREBIRD_NO_DEMO=1 LYREBIRD_LIBRARY_DIRS=$home \
  "$target/release/lyrebird" "$work/music.flac" >/dev/null 2>&1 &
pid=$!
sleep 3
echo "| Lyrebird app, release, window shown (Xvfb, software rendering) | $(playing_cpu $pid) % |"
# Hidden the way a window in the tray is: unmapped (the tray itself is issue 6).
for window in $(xdotool search --onlyvisible --pid "$pid" 2>/dev/null); do
  xdotool windowunmap "$window" || true
done
echo "| Lyrebird app, release, window unmapped | $(playing_cpu $pid) % |"
stop $pid

mpv --no-video --no-config --ao=pulse "$work/music.flac" >/dev/null 2>&1 &
pid=$!
echo "| mpv $(mpv --version | awk 'NR==1 { print $2 }') (--no-video --ao=pulse) | $(playing_cpu $pid) % |"
stop $pid

qlhome="$work/ql-home"
start_quodlibet "$qlhome" "$work/music.flac"
pid=$QL_PID
echo "| Quod Libet $(dpkg-query -W -f '${Version}' quodlibet) (window hidden) | $(playing_cpu $pid) % |"
stop_quodlibet "$qlhome"
