#!/usr/bin/env bash
# Memory of Lyrebird's whole process tree (the app plus WebKit's web and network processes)
# next to an empty Tauri 2 window built the same way, measured in one run, idle.
#
#   tests/bench/memory.sh [SECONDS_IDLE]      (prints a Markdown table)
#
# Both are debug builds with the page embedded (what `npm start` and the tests run), under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
idle=${1:-10}
target="${CARGO_TARGET_DIR:-$PWD/target}"

npx tauri build --debug --no-bundle >/dev/null 2>&1
cargo build -q -p empty-window --features tauri/custom-protocol

descendants() { # PID and every process below it
  local pid=$1
  echo "$pid"
  for child in $(pgrep -P "$pid"); do descendants "$child"; done
}

pss_kib() { # total PSS of a process tree, in KiB
  local total=0 kib
  for pid in $(descendants "$1"); do
    kib=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

measure() { # NAME COMMAND... -> "NAME|processes|PSS MiB"
  local name=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$idle"
  local procs samples=() i
  procs=$(descendants "$pid" | wc -l)
  for i in 1 2 3; do
    samples+=("$(pss_kib "$pid")")
    sleep 1
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  local median
  median=$(printf '%s\n' "${samples[@]}" | sort -n | sed -n 2p)
  echo "$name|$procs|$(awk -v k="$median" 'BEGIN { printf "%.1f", k / 1024 }')"
}

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
rows=(
  "$(measure "empty Tauri 2 window" "$target/debug/empty-window")"
  "$(HOME=$home LYREBIRD_CONFIG_DIR=$home/config measure "Lyrebird, idle, demo library" "$target/debug/lyrebird")"
)
echo "| build (debug, page embedded, ${idle} s idle) | processes | total PSS (MiB) |"
echo "|---|---:|---:|"
for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
