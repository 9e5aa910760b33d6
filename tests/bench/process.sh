# Shared by the benchmark scripts (source it): CPU and memory of a process tree, and starting
# Quod Libet playing a file with its window hidden.

descendants() { # PID -> it and every process below it
  local pid=$1
  echo "$pid"
  for child in $(pgrep -P "$pid"); do descendants "$child"; done
}

ticks() { # PID -> CPU ticks (user + system) of the tree
  local total=0 t
  for pid in $(descendants "$1"); do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

cpu_percent() { # PID SECONDS -> % of one core over SECONDS, after a 5 s settle
  local pid=$1 seconds=$2 before after hz
  hz=$(getconf CLK_TCK)
  sleep 5
  before=$(ticks "$pid")
  sleep "$seconds"
  after=$(ticks "$pid")
  awk -v d=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", 100 * d / hz / s }'
}

pss_mib() { # PID -> total PSS of the tree in MiB, median of three samples a second apart
  local samples=() i total kib p
  for i in 1 2 3; do
    total=0
    for p in $(descendants "$1"); do
      kib=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
      total=$((total + ${kib:-0}))
    done
    samples+=("$total")
    sleep 1
  done
  printf '%s\n' "${samples[@]}" | sort -n | sed -n 2p | awk '{ printf "%.1f", $1 / 1024 }'
}

stop() { # PID: ask it to end; after 5 s, make it (Quod Libet can hang on its way out)
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

start_quodlibet() { # HOME_DIR FILE -> sets QL_PID: Quod Libet playing FILE, window hidden
  local home=$1 file=$2
  mkdir -p "$home"
  HOME=$home quodlibet --no-plugins >/dev/null 2>&1 &
  QL_PID=$!
  for _ in $(seq 100); do
    HOME=$home quodlibet --print-playing >/dev/null 2>&1 && break
    sleep 0.2
  done
  HOME=$home quodlibet --play-file="$file" >/dev/null 2>&1
  HOME=$home quodlibet --hide-window >/dev/null 2>&1
}

stop_quodlibet() { # HOME_DIR
  HOME=$1 quodlibet --quit >/dev/null 2>&1 || true
  stop "$QL_PID"
}

start_lyrebird() { # APP WORK -> sets APP_PID: the app playing WORK/music/music.flac (its library
  # folder) with a home and settings of its own under WORK, once MPRIS says it plays
  local app=$1 work=$2 home="$2/lyrebird-home"
  mkdir -p "$home"
  HOME=$home LYREBIRD_CONFIG_DIR=$home/config LYREBIRD_NO_DEMO=1 LYREBIRD_LIBRARY_DIRS=$work/music \
    "$app" "$work/music/music.flac" >"$work/app.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 150); do
    [ "$(playerctl -p lyrebird status 2>/dev/null)" = "Playing" ] && return 0
    sleep 0.2
  done
  echo "the app never played" >&2
  cat "$work/app.log" >&2
  return 1
}

