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
# Warm = run again straight after, on a new index / new Quod Libet library: WARM rounds of
# Lyrebird then lofty (default 3; the medians are printed), once for Quod Libet. Lyrebird's
# line also gives the time it then takes to fold SQLite's write-ahead log into the index file,
# which the app does once the library thread is idle after the scan.
# BASELINE=path/to/an/older/scan_tree adds its warm runs to each round (an A/B of two builds).
# COVERS=1 embeds one ~500 KB JPEG (random noise, 830x830, ffmpeg -q:v 2) in every file (MP3 an
# ID3v2 APIC, FLAC a PICTURE block, Ogg a METADATA_BLOCK_PICTURE comment written by mutagen), in
# DIR /tmp/lyrebird-scan-tree-covers by default (FILES=4000 is 2.3 GB), and adds to each round
# a bare lofty read told not to read pictures (`lofty-nocovers`).
# QL=0 skips Quod Libet. The other engineers' builds share the machine: run it when idle.
# Needs ffmpeg, python3 and Quod Libet (/usr/bin/python3 with the quodlibet package).
set -euo pipefail
FILES=${1:-20000}
WARM=${WARM:-3}
COVERS=${COVERS:-0}
if [ "$COVERS" = 1 ]; then DIR=${2:-/tmp/lyrebird-scan-tree-covers}; else DIR=${2:-/tmp/lyrebird-scan-tree}; fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/bench"

if [ ! -d "$DIR" ]; then
  src=$(mktemp -d)
  cover=()
  if [ "$COVERS" = 1 ]; then
    ffmpeg -loglevel error -y -f lavfi -i "nullsrc=s=830x830,geq=random(1)*255:128:128" \
      -frames:v 1 -q:v 2 "$src/cover.jpg"
    cover=(-i "$src/cover.jpg" -map 0:a -map 1:v -c:v copy -disposition:v attached_pic)
  fi
  for i in $(seq -w 1 30); do
    for ext in mp3 flac ogg; do
      case $ext in mp3) codec=(-c:a libmp3lame -b:a 192k);; flac) codec=(-c:a flac);; ogg) codec=(-c:a libvorbis -q:a 5);; esac
      pic=(); if [ "$ext" != ogg ]; then pic=("${cover[@]}"); fi
      ffmpeg -loglevel error -y -f lavfi -i "sine=f=$((200 + 10#$i * 20)):d=5" ${pic[@]+"${pic[@]}"} -ac 2 -ar 44100 "${codec[@]}" \
        -metadata title="Song $i $ext" -metadata artist="Artist $i" -metadata album="Album $i" \
        -metadata track="$((10#$i))" -metadata date=2020 -metadata genre=Rock "$src/$i.$ext"
    done
  done
  /usr/bin/python3 - "$src" "$DIR" "$FILES" "$COVERS" <<'PY'
import base64, os, shutil, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if sys.argv[4] == "1":  # ffmpeg does not embed pictures in Ogg: mutagen does
    from mutagen.flac import Picture
    from mutagen.oggvorbis import OggVorbis
    pic = Picture()
    pic.type, pic.mime, pic.width, pic.height, pic.depth = 3, "image/jpeg", 830, 830, 24
    pic.data = open(os.path.join(src, "cover.jpg"), "rb").read()
    for i in range(1, 31):
        ogg = OggVorbis(os.path.join(src, f"{i:02d}.ogg"))
        ogg["metadata_block_picture"] = [base64.b64encode(pic.write()).decode("ascii")]
        ogg.save()
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

(cd "$ROOT" && cargo build --release -j"${JOBS:-2}" -p lyrebird-library --example scan_tree 2>&1 | tail -1 >&2)
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

# Cold: each after dropping the caches. Warm: Lyrebird and lofty alternate, WARM rounds, so the
# write-back of one run's index (30-40 MB) falls on both alike; medians at the end.
warm_runs=$(mktemp)
if cold; then echo "cold $("$BIN" index "$DIR")"; fi
if cold; then echo "cold $("$BIN" lofty "$DIR")"; fi
# For some seconds after the cold runs the machine is still busy (write-back of the cold run's
# index, the page cache refilling): Lyrebird's scan measured 0.33-0.47 s then, 0.26-0.29 s
# after, while lofty's reads hardly changed. Let it settle.
sleep "${SETTLE:-10}"
for round in $(seq 1 "$WARM"); do
  if [ -n "${BASELINE:-}" ]; then
    line=$("$BASELINE" index "$DIR" | sed 's/^index/baseline/')
    echo "warm$round $line"
    echo "$line" >> "$warm_runs"
  fi
  whats="index lofty"
  if [ "$COVERS" = 1 ]; then whats="index lofty lofty-nocovers"; fi
  for what in $whats; do
    line=$("$BIN" $what "$DIR")
    echo "warm$round $line"
    echo "$line" >> "$warm_runs"
  done
done
python3 - "$warm_runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs.setdefault(f[0], []).append(float(f[2]))
    if f[0] in ("index", "baseline") and len(f) >= 5:  # the scan, then folding the log in
        runs.setdefault(f[0] + "+checkpoint", []).append(float(f[2]) + float(f[4]))
m = {k: statistics.median(v) for k, v in runs.items()}
for k in ("baseline", "baseline+checkpoint", "index", "index+checkpoint", "lofty", "lofty-nocovers"):
    if k in m:
        print(f"warm median {k} {m[k]:.3f} s" + (f" ({m[k] / m['lofty']:.2f}x lofty)" if k != "lofty" else ""))
PY
rm -f "$warm_runs"
if [ "${QL:-1}" != 0 ]; then
  if cold; then echo "cold $(ql)"; fi
  echo "warm1 $(ql)"
fi
