#!/usr/bin/env bash
# Regenerates Lyrebird's bundled demo tracks: pure tones we synthesise ourselves (license-clean),
# so the first launch can play something and tests know exactly what they should hear.
# Needs ffmpeg. Output is committed; run again only to change the demo.
set -euo pipefail
cd "$(dirname "$0")"
cover=$(mktemp --suffix=.png)
trap 'rm -f "$cover"' EXIT
convert -size 256x256 radial-gradient:'#f6c26b-#7a3e9d' \
  -fill '#ffffff' -draw "circle 128,128 128,60" -fill '#7a3e9d' -draw "circle 128,128 128,100" "$cover"
tone() { # file freq title codec-args...
  local file=$1 freq=$2 title=$3; shift 3
  ffmpeg -y -v error -f lavfi \
    -i "aevalsrc=0.4*sin(2*PI*${freq}*t)|0.4*sin(2*PI*${freq}*t):s=44100:d=8,afade=t=in:d=0.05,afade=t=out:st=7.5:d=0.5" \
    -metadata title="$title" -metadata artist="Lyrebird" -metadata album="Lyrebird Demo" \
    -metadata track="$TRACK" "$@" "$file"
}
TRACK=1 tone 01-a4.flac.tmp.flac 440 "Demo tone A4 (440 Hz)" -c:a flac
ffmpeg -y -v error -i 01-a4.flac.tmp.flac -i "$cover" -map 0:a -map 1:v -c:a copy -c:v png \
  -disposition:v attached_pic 01-a4.flac
rm 01-a4.flac.tmp.flac
TRACK=2 tone 02-c-sharp5.mp3 554.37 "Demo tone C♯5 (554 Hz)" -c:a libmp3lame -b:a 128k
TRACK=3 tone 03-e5.ogg 659.26 "Demo tone E5 (659 Hz)" -c:a libvorbis -q:a 4
