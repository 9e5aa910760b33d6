#!/usr/bin/env bash
# Does the window flash white at start (issue #19)? Starts the release app with the dark theme
# under Xvfb (its root window is black) and grabs the screen as fast as `import` can for
# SECONDS, printing each grab's time since launch and the mean brightness (0 black … 1 white)
# of the middle of the window. A dark theme drawn at once stays dark; a white flash shows as
# grabs near 1 before the dark ones.
#
#   tests/bench/flash.sh [SECONDS] [APP]   (default 4, the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  exec tests/support/desktop-session.sh "$0" "$@"
fi
seconds=${1:-4}
app=${2:-"${CARGO_TARGET_DIR:-$PWD/target}/release/lyrebird"}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; cp "$work/app.log" /tmp/flash-app.log; import -silent -window root /tmp/flash-last.png || true; rm -rf "$work"' EXIT
mkdir -p "$work/config" "$work/music"
cat > "$work/config/settings.json" <<'JSON'
{"desktop":{"appearance":{"theme":"dark","accent":"orange"}}}
JSON
start=$(date +%s%N)
LYREBIRD_CONFIG_DIR="$work/config" LYREBIRD_LIBRARY_DIRS="$work/music" LYREBIRD_NO_DEMO=1 \
  "$app" >"$work/app.log" 2>&1 &
pid=$!
i=0
while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt $((seconds * 1000)) ]; do
  at=$(( ($(date +%s%N) - start) / 1000000 ))
  import -silent -window root -crop 400x300+300+200 "$work/grab-$i.png" 2>/dev/null || true
  [ -f "$work/grab-$i.png" ] && printf '%6d ms  %s\n' "$at" "$(convert "$work/grab-$i.png" -colorspace Gray -format '%[fx:mean]' info: 2>/dev/null)"
  i=$((i + 1))
done
