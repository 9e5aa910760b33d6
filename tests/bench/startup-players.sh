#!/usr/bin/env bash
# Start-up with a large library, Lyrebird next to Rhythmbox and Quod Libet (issue #19: "Quod
# Libet and Rhythmbox measured the same way beside it"), measured the same way for all three
# from outside, as a user sees it: from launch to the window mapped, and to the first moment
# the player's processes are quiet (under 2 % of a core for 300 ms: the library is loaded and
# drawn, a click is taken at once). Warm runs (the page cache holds the files).
#
#   tests/bench/startup-players.sh [MUSIC_DIR] [RUNS] [APP]
#
# MUSIC_DIR defaults to /var/cache/lyrebird/library-100k-playable. Each player gets its library
# of MUSIC_DIR before the timed runs: Lyrebird indexes it on a first start, Rhythmbox is given a
# rhythmdb.xml listing every file (what its import writes), Quod Libet scans it with its own
# library code (tests/bench/ql_scan.py). Needs rhythmbox, quodlibet and xdotool.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
music=$(realpath "${1:-/var/cache/lyrebird/library-100k-playable}")
runs=${2:-3}
app=${3:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
for tool in rhythmbox quodlibet xdotool; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install $tool)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=tests/bench/process.sh
source tests/bench/process.sh

now() { date +%s.%N; }

# PID T0 -> "WINDOW_S QUIET_S": seconds from T0 to PID's window mapped, and to its tree quiet.
measure() {
  local pid=$1 t0=$2 mapped quiet before after calm=0
  xdotool search --sync --onlyvisible --pid "$pid" >/dev/null
  mapped=$(now)
  before=$(ticks "$pid")
  while [ "$calm" -lt 3 ]; do
    sleep 0.1
    after=$(ticks "$pid")
    # Under 2 % of a core over 100 ms is at most 0.2 ticks: no tick at all.
    if [ "$after" -le "$before" ]; then calm=$((calm + 1)); else calm=0; fi
    before=$after
  done
  quiet=$(awk -v t="$(now)" 'BEGIN { printf "%.3f", t - 0.3 }')
  awk -v t0="$t0" -v m="$mapped" -v q="$quiet" 'BEGIN { printf "%.2f %.2f", m - t0, q - t0 }'
}

report() { # NAME then RUNS lines of "WINDOW QUIET"
  local name=$1
  shift
  local windows quiets
  windows=$(printf '%s\n' "$@" | awk '{print $1}' | sort -n | paste -sd' ')
  quiets=$(printf '%s\n' "$@" | awk '{print $2}' | sort -n | paste -sd' ')
  echo "| $name | $(printf '%s\n' "$@" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s ($windows) | $(printf '%s\n' "$@" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s ($quiets) |"
}

# NAME COMMAND...: RUNS starts of COMMAND, each measured, then stopped; reported as NAME.
timed_runs() {
  local name=$1 results=() t0 pid
  shift
  for _ in $(seq "$runs"); do
    t0=$(now)
    "$@" >/dev/null 2>&1 &
    pid=$!
    results+=("$(measure "$pid" "$t0")")
    stop "$pid"
    sleep 1
  done
  report "$name" "${results[@]}"
}

count=$(find "$music" -type f | wc -l)
echo "| $count files, warm | launch → window mapped: median (runs) | launch → quiet: median (runs) |"
echo "|---|---:|---:|"

# Lyrebird: the first start indexes the folder (not timed).
lb_home=$work/lyrebird
mkdir -p "$lb_home"
lyrebird=(env HOME="$lb_home" LYREBIRD_CONFIG_DIR="$lb_home/config" LYREBIRD_CACHE_DIR="$lb_home/cache"
  LYREBIRD_NO_DEMO=1 LYREBIRD_LIBRARY_DIRS="$music" "$app")
"${lyrebird[@]}" >/dev/null 2>&1 &
pid=$!
xdotool search --sync --onlyvisible --pid "$pid" >/dev/null
sleep 40 # the first scan of the folder into the index
stop "$pid"
timed_runs "Lyrebird $(git describe --always 2>/dev/null)" "${lyrebird[@]}"

# Rhythmbox: its database written as its import would leave it (every file a song).
rb_home=$work/rhythmbox
mkdir -p "$rb_home/.local/share/rhythmbox"
python3 - "$music" "$rb_home/.local/share/rhythmbox/rhythmdb.xml" <<'PY'
import os, sys, urllib.parse
from xml.sax.saxutils import escape
root, out = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    f.write('<?xml version="1.0" standalone="yes"?>\n<rhythmdb version="2.0">\n')
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            st = os.stat(path)
            uri = "file://" + urllib.parse.quote(path)
            title = escape(os.path.splitext(name)[0])
            f.write(f'  <entry type="song"><title>{title}</title><genre>Unknown</genre>'
                    f'<artist>Unknown</artist><album>Unknown</album><duration>2</duration>'
                    f'<file-size>{st.st_size}</file-size><location>{escape(uri)}</location>'
                    f'<mtime>{int(st.st_mtime)}</mtime><first-seen>{int(st.st_mtime)}</first-seen>'
                    f'<last-seen>{int(st.st_mtime)}</last-seen><bitrate>128</bitrate><date>0</date>'
                    f'<media-type>audio/mpeg</media-type><composer>Unknown</composer></entry>\n')
    f.write('</rhythmdb>\n')
PY
timed_runs "Rhythmbox $(rhythmbox --version 2>/dev/null | awk '{print $2}')" env HOME="$rb_home" rhythmbox

# Quod Libet: its own library code scans the folder into its song cache (not timed).
ql_home=$work/quodlibet
mkdir -p "$ql_home/.quodlibet"
HOME=$ql_home /usr/bin/python3 tests/bench/ql_scan.py "$music" >&2
mv "$ql_home/songs" "$ql_home/.quodlibet/songs"
timed_runs "Quod Libet $(HOME=$ql_home quodlibet --version 2>/dev/null | head -1 | awk '{print $NF}')" \
  env HOME="$ql_home" quodlibet --no-plugins
