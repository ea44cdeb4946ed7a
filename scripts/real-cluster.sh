#!/usr/bin/env bash
# Real Apache Kafka (KRaft, one node) and Kafka Connect with Debezium's PostgreSQL
# connector and JDBC sink, on free 127.0.0.1 ports, in the background: the same
# stack the `real` test tier runs against, for trying cdcctl by hand.
#   scripts/real-cluster.sh up [--workers N]   start (or show the running one)
#   scripts/real-cluster.sh env                 export lines for the running one
#   scripts/real-cluster.sh down                stop it and remove its data and logs
# `up` prints the bootstrap servers and the Connect URL(s), and the export lines
# that point cdcctl at them (CDCCTL_BOOTSTRAP_SERVERS, CDCCTL_CONNECT_URL,
# CDCCTL_WORKERS, and CDCCTL_WORKER_RESTART_COMMAND: each worker runs under a
# supervisor that starts it again, so `cdcctl restart rolling workers` works).
# Needs a JDK and Maven (scripts/install-deps.sh); the first `up` resolves the
# pinned artifacts into ~/.cache/cdcctl-test (scripts/real-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${CDCCTL_REAL_CLUSTER_DIR:-${XDG_RUNTIME_DIR:-/tmp}/cdcctl-real-cluster-$(id -u)}
build=${CDCCTL_BUILD_DIR:-$root/build}

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

# Alive, and still our launcher (not a later process that got its pid).
running() {
  [[ -f $state/pid ]] || return 1
  local pid
  pid=$(cat "$state/pid")
  kill -0 "$pid" 2>/dev/null || return 1
  local command
  command=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $command == *real-cluster* ]]
}

print_env() {
  local bootstrap urls
  read -r bootstrap urls <"$state/addresses"
  local first=${urls%% *}
  echo "export CDCCTL_BOOTSTRAP_SERVERS=$bootstrap"
  echo "export CDCCTL_CONNECT_URL=$first"
  echo "export CDCCTL_WORKERS=${urls// /,}"
  local restart
  restart=$(sed -n 's/^real-cluster: worker restart command: //p' "$state/launcher.log")
  [[ -n $restart ]] && echo "export CDCCTL_WORKER_RESTART_COMMAND='$restart'"
  return 0
}

up() {
  local workers=1
  while [[ $# -gt 0 ]]; do
    case $1 in
      --workers) workers=${2:?--workers takes a number}; shift 2 ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  if running; then
    echo "real-cluster: already running (pid $(cat "$state/pid")); 'down' stops it" >&2
  else
    if [[ ! -x $build/tests/real-cluster ]]; then
      echo "real-cluster: building the launcher into $build" >&2
      cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      cmake --build "$build" --target real-cluster cdcctl >/dev/null
    fi
    rm -rf "$state"
    mkdir -p "$state"
    # Its own session, stdin from /dev/null: it lives on after this shell, until `down`.
    CDCCTL_REAL_LOG_DIR=$state setsid "$build/tests/real-cluster" --workers "$workers" \
      </dev/null >"$state/addresses" 2>"$state/launcher.log" &
    echo $! >"$state/pid"
    for _ in $(seq 1 600); do
      [[ -s $state/addresses ]] && break
      if ! running; then
        echo "real-cluster: the stack did not start:" >&2
        cat "$state/launcher.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    if [[ ! -s $state/addresses ]]; then
      echo "real-cluster: not ready after 300 s; stopping it. $state/launcher.log:" >&2
      cat "$state/launcher.log" >&2
      down >/dev/null
      exit 1
    fi
  fi
  local bootstrap urls
  read -r bootstrap urls <"$state/addresses"
  echo "bootstrap servers: $bootstrap"
  for url in $urls; do echo "connect url:       $url"; done
  echo "logs:              $state/cdcctl-real-logs-cluster"
  echo "# point cdcctl at it (eval \"\$(scripts/real-cluster.sh env)\"):"
  print_env
}

down() {
  if ! running; then
    echo "real-cluster: not running" >&2
    rm -rf "$state"
    return 0
  fi
  local pid
  pid=$(cat "$state/pid")
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; fi
  rm -rf "$state"
  echo "real-cluster: stopped"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  env)
    running || { echo "real-cluster: not running; 'up' starts it" >&2; exit 1; }
    print_env
    ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
