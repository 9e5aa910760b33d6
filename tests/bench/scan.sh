#!/usr/bin/env bash
# Full library scan on a generated 20k tree (60 % MP3, 30 % FLAC, 10 % Ogg Vorbis):
# Lyrebird (first scan into a new index), a bare multi-threaded lofty read, and Quod Libet.
#
#   tests/bench/scan.sh [FILES] [DIR]
#
# FILES defaults to 20000, DIR to /tmp/lyrebird-scan-tree (kept between runs; delete it to
# regenerate). The tree: 30 distinct 5-second sources per format made by ffmpeg (each with its
# own title, artist, album, track number), copied to FILES paths as
# DIR/Artist NN/Album NN/NNNN Title.ext. Copies keep their source's tags, so there are 90
# distinct tag sets; the index and Quod Libet still store one row per file.
# Cold = after `echo 3 > /proc/sys/vm/drop_caches` (needs root; if it fails, cold is skipped).
# Warm = run again straight after, on a new index / new Quod Libet library: WARM times for
# Lyrebird and lofty (default 3: a single warm run straight after a cold one also pays for the
# write-back of the cold run's index; report the median), once for Quod Libet.
# QL=0 skips Quod Libet. The other engineers' builds share the machine: run it when idle.
# Needs ffmpeg, python3 and Quod Libet (/usr/bin/python3 with the quodlibet package).
set -euo pipefail
FILES=${1:-20000}
WARM=${WARM:-3}
DIR=${2:-/tmp/lyrebird-scan-tree}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/bench"

if [ ! -d "$DIR" ]; then
  src=$(mktemp -d)
  for i in $(seq -w 1 30); do
    for ext in mp3 flac ogg; do
      case $ext in mp3) codec=(-c:a libmp3lame -b:a 192k);; flac) codec=(-c:a flac);; ogg) codec=(-c:a libvorbis -q:a 5);; esac
      ffmpeg -loglevel error -y -f lavfi -i "sine=f=$((200 + 10#$i * 20)):d=5" -ac 2 -ar 44100 "${codec[@]}" \
        -metadata title="Song $i $ext" -metadata artist="Artist $i" -metadata album="Album $i" \
        -metadata track="$((10#$i))" -metadata date=2020 -metadata genre=Rock "$src/$i.$ext"
    done
  done
  /usr/bin/python3 - "$src" "$DIR" "$FILES" <<'PY'
import os, shutil, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    ext = "mp3" if i % 10 < 6 else ("flac" if i % 10 < 9 else "ogg")
    s = i % 30 + 1
    folder = os.path.join(out, f"Artist {i // 400:02d}", f"Album {i // 20 % 20:02d}")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(os.path.join(src, f"{s:02d}.{ext}"), os.path.join(folder, f"{i:05d} Song.{ext}"))
PY
  rm -rf "$src"
fi
echo "tree: $(find "$DIR" -type f | wc -l) files, $(du -sh "$DIR" | cut -f1)" >&2

(cd "$ROOT" && cargo build --release -j2 -p lyrebird-library --example scan_tree 2>&1 | tail -1 >&2)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/scan_tree"

cold() {
  sync
  if echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then return 0; fi
  echo "cannot drop caches (not root?): cold runs skipped" >&2
  return 1
}
ql() {
  local home; home=$(mktemp -d)
  HOME=$home /usr/bin/python3 "$HERE/ql_scan.py" "$DIR" 2>/dev/null
  rm -rf "$home"
}

whats="index lofty"
[ "${QL:-1}" = 0 ] || whats="$whats quodlibet"
for what in $whats; do
  runs=$WARM
  [ $what = quodlibet ] && runs=1
  for temp in cold $(seq -f warm%g "$runs"); do
    if [ $temp = cold ] && ! cold; then continue; fi
    if [ $what = quodlibet ]; then line=$(ql); else line=$("$BIN" $what "$DIR"); fi
    echo "$temp $line"
  done
done
