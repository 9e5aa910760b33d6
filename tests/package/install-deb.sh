#!/usr/bin/env bash
# The installer as a user gets it: build the .deb, install it with dpkg, launch the installed
# binary once under a throwaway desktop (Xvfb, D-Bus, PulseAudio), check that it finds its
# bundled demo, plays it and registers on the bus, then uninstall.
#
# Needs root (dpkg). Uses the debug build CI already made: the package is the same shape as a
# release one (`npx tauri build --bundles deb`), only bigger.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"

npx tauri build --debug --bundles deb
deb=$(ls -t "$target"/debug/bundle/deb/*.deb | head -1)
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
# Chinese titles must never show as empty boxes on a fresh system: a CJK font is recommended.
dpkg-deb --field "$deb" Recommends | grep -q fonts-noto-cjk || { echo "FAIL: no CJK font recommended" >&2; exit 1; }
contents=$(dpkg-deb --contents "$deb")
for wanted in usr/bin/lyrebird usr/share/applications/Lyrebird.desktop usr/lib/Lyrebird/demo/01-a4.flac; do
  grep -qF "$wanted" <<<"$contents" || { echo "FAIL: $wanted is not in the package" >&2; exit 1; }
done

dpkg -i "$deb"
trap 'dpkg -r lyrebird >/dev/null || true' EXIT

work=$(mktemp -d /tmp/lyrebird-deb.XXXXXX)
cat > "$work/check.sh" <<'CHECK'
#!/usr/bin/env bash
set -euo pipefail
work=$1
LYREBIRD_CONFIG_DIR="$work/config" LYREBIRD_LIBRARY_DIRS="$work/empty" LYREBIRD_LOG=info \
  /usr/bin/lyrebird /usr/lib/Lyrebird/demo >"$work/app.log" 2>&1 &
app=$!
ok=0
for _ in $(seq 150); do
  if [ "$(playerctl -p lyrebird status 2>/dev/null)" = "Playing" ]; then ok=1; break; fi
  kill -0 "$app" 2>/dev/null || break
  sleep 0.2
done
title=$(playerctl -p lyrebird metadata title 2>/dev/null || true)
kill "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
if [ "$ok" != 1 ]; then
  echo "FAIL: the installed app did not start playing its demo" >&2
  cat "$work/app.log" >&2
  exit 1
fi
echo "the installed app plays \"$title\" from /usr/lib/Lyrebird/demo"
CHECK
chmod +x "$work/check.sh"
mkdir -p "$work/empty"
tests/support/desktop-session.sh "$work/check.sh" "$work"
rm -rf "$work"
echo "ok: .deb built, installed with dpkg -i, launched and played, removed"
