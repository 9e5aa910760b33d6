#!/usr/bin/env bash
# Where a warm start's time goes (issue #19): RUNS warm starts of the release app with a large
# library, each printing the page's marks in seconds from the launch (tests/bench/startup-marks.mjs).
# PERF=1 also profiles the last start system-wide (perf record -a -g -k CLOCK_MONOTONIC, to
# $PERF_OUT, default /tmp/startup.perf.data): cut it at the printed marks with
# `perf script --time`, e.g. the web process's main thread between "mounted" and "rows-seen"
# (PERF_SECONDS, default 4, long enough for a start; STAY_MS keeps the app open after it).
#
#   tests/bench/startup-marks.sh [MUSIC_DIR] [RUNS] [APP]
#
# MUSIC_DIR defaults to /var/cache/lyrebird/library-100k-playable; a first, untimed start
# indexes it (the later starts are warm).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
music=$(realpath "${1:-/var/cache/lyrebird/library-100k-playable}")
runs=${2:-5}
app=${3:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
[ -x "$app" ] || { echo "no app at $app (npx tauri build --no-bundle)" >&2; exit 1; }
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
echo '{}' > "$config/settings.json"
export LYREBIRD_APP=$app LYREBIRD_CONFIG_DIR=$config
echo "indexing $music (untimed)" >&2
STAY_MS=${INDEX_MS:-30000} node tests/bench/startup-marks.mjs "$music" >/dev/null
for run in $(seq "$runs"); do
  sleep 1
  if [ "${PERF:-0}" = 1 ] && [ "$run" = "$runs" ]; then
    perf record -q -a -g -k CLOCK_MONOTONIC -F 1999 -o "${PERF_OUT:-/tmp/startup.perf.data}" -- sleep "${PERF_SECONDS:-4}" 2>/dev/null &
    sleep 0.3
    node tests/bench/startup-marks.mjs "$music"
    wait
  else
    node tests/bench/startup-marks.mjs "$music"
  fi
done
