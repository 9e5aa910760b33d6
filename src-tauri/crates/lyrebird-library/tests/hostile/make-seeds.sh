#!/usr/bin/env bash
# How the seed files of the hostile-file corpus (tests/hostile_files.rs) were made: 0.15 s of a
# 440 Hz tone in every format Lyrebird plays, with tags (title, artist, album, track, date,
# genre, LRC lyrics) and, where ffmpeg embeds one, an 8x8 PNG cover. ffmpeg 5.1 (Debian 12).
# The files are committed; this is only needed to make them again.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -v error -f lavfi -i "color=c=red:s=8x8" -frames:v 1 "$tmp/cover.png"
tone=(-v error -y -f lavfi -i "sine=frequency=440:duration=0.15:sample_rate=22050")
cover=(-i "$tmp/cover.png" -map 0:a -map 1:v -c:v copy -disposition:v attached_pic)
meta=(-metadata title="Seed Title" -metadata artist="Seed Artist" -metadata album="Seed Album"
  -metadata track=3 -metadata date=2001 -metadata genre=Test -metadata lyrics="[00:00.05]line one")
ffmpeg "${tone[@]}" "${cover[@]}" "${meta[@]}" -ac 2 -c:a flac seed.flac
ffmpeg "${tone[@]}" "${cover[@]}" -id3v2_version 3 "${meta[@]}" -c:a libmp3lame -b:a 32k seed.mp3
ffmpeg "${tone[@]}" "${meta[@]}" -c:a libvorbis -q:a 0 seed.ogg
ffmpeg "${tone[@]}" "${meta[@]}" -c:a libopus -b:a 16k seed.opus
ffmpeg "${tone[@]}" "${meta[@]}" -c:a pcm_s16le -ar 8000 seed.wav
ffmpeg "${tone[@]}" "${cover[@]}" "${meta[@]}" -c:a aac -b:a 24k seed.m4a
ffmpeg "${tone[@]}" "${meta[@]}" -c:a alac -ar 8000 seed-alac.m4a
ffmpeg "${tone[@]}" -c:a aac -b:a 24k -f adts seed.aac
