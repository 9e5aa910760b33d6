#!/usr/bin/env bash
# Run a command inside a throwaway desktop: a virtual X display (Xvfb), a private D-Bus
# session bus, and a real-time PulseAudio server whose default sink is a null sink that tests
# record from (`parec -d nullsink.monitor`). Everything is stopped when the command ends.
#
#   tests/support/desktop-session.sh COMMAND [ARGS...]
set -euo pipefail
export NO_AT_BRIDGE=1

if [ -z "${LYREBIRD_DESKTOP_SESSION:-}" ]; then
  export LYREBIRD_DESKTOP_SESSION=1
  # The session runs in a process group of its own, ended as a whole when the command ends.
  # A daemon the session bus starts on demand (WebKit asks for AT-SPI's bus launcher and
  # registry) can outlive the bus, and it keeps this script's stdout open: whatever reads that
  # output (the test runner's tee) would then wait forever. `setsid` in a background job runs
  # in place (the job is not a group leader), so the job's pid is the group's id.
  setsid dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@" &
  session=$!
  end_session() { kill -TERM -- "-$session" 2>/dev/null || true; }
  trap 'end_session; exit 130' INT
  trap 'end_session; exit 143' TERM
  status=0
  wait "$session" || status=$?
  end_session
  sleep 0.5
  kill -KILL -- "-$session" 2>/dev/null || true
  exit "$status"
fi

runtime=$(mktemp -d /tmp/lyrebird-desktop.XXXXXX)
mkdir -p "$runtime/home"
cat > "$runtime/default.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$runtime/native
load-module module-null-sink sink_name=nullsink rate=44100 channels=2
set-default-sink nullsink
PA
XDG_RUNTIME_DIR="$runtime" HOME="$runtime/home" pulseaudio -n -F "$runtime/default.pa" \
  --daemonize=no --exit-idle-time=-1 --disallow-exit --use-pid-file=no \
  --log-target="file:$runtime/pulse.log" &
pulse_pid=$!
cleanup() {
  kill "$pulse_pid" 2>/dev/null || true
  wait "$pulse_pid" 2>/dev/null || true
  rm -rf "$runtime"
}
trap cleanup EXIT

export PULSE_SERVER="unix:$runtime/native"
for _ in $(seq 100); do
  pactl info >/dev/null 2>&1 && break
  sleep 0.1
done
if ! pactl info >/dev/null 2>&1; then
  echo "PulseAudio did not start:" >&2
  cat "$runtime/pulse.log" >&2
  exit 1
fi

"$@"
