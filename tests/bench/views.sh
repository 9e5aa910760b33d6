#!/usr/bin/env bash
# CPU of the shown window per view while a track plays (issue #19): the Songs list with 10 000
# rows, the Lyrics view following synced lyrics, and Now Playing. See tests/bench/views.mjs.
#
#   tests/bench/views.sh [SECONDS] [APP]   (SECONDS per view, default 20; APP a built lyrebird,
#                                           default the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-20}
app=${2:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/music/rows" "$work/home"
# The track that plays: 10 minutes (as window.sh's), with synced lyrics, a line every 2.5 s.
ffmpeg -v error -f lavfi -i "anoisesrc=color=pink:amplitude=0.25:duration=600:sample_rate=44100" \
  -f lavfi -i "aevalsrc=0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277*t):s=44100:d=600" \
  -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a flac "$work/music/music.flac"
awk 'BEGIN { for (i = 0; i < 240; i++) { t = i * 2.5; printf "[%02d:%05.2f]line %d of the song, sung\n", int(t / 60), t - 60 * int(t / 60), i + 1 } }' \
  > "$work/music/music.lrc"
# The other 9 999 rows: hard links of one short tone (a row each; tags are the file's).
ffmpeg -v error -f lavfi -i "sine=frequency=440:duration=2:sample_rate=44100" -c:a flac "$work/tone.flac"
for i in $(seq -w 1 9999); do ln "$work/tone.flac" "$work/music/rows/tone $i.flac"; done
# REDUCED_MOTION=1: GTK's animations off, which WebKit reports as prefers-reduced-motion (the
# lyrics then jump to the current line instead of scrolling smoothly).
if [ "${REDUCED_MOTION:-0}" = 1 ]; then
  mkdir -p "$work/home/.config/gtk-3.0"
  printf '[Settings]\ngtk-enable-animations=0\n' > "$work/home/.config/gtk-3.0/settings.ini"
fi
LYREBIRD_APP="$app" node tests/bench/views.mjs "$work" "$seconds"
