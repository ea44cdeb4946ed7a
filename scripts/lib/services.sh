# Sourced by scripts/demo.sh and bench/*.sh: start the local services from the
# test harness's launchers in the background and stop them on exit.
#   start_service NAME COMMAND...   runs COMMAND, waits for the address it prints
#                                   first, and stores it in the variable NAME
# Launchers run until SIGTERM; service_pids lists them in start order.
service_work=$(mktemp -d -t cdcctl-services-XXXXXX)
service_pids=()

stop_services() {
  for pid in "${service_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$service_work"
}
trap stop_services EXIT INT TERM

start_service() {
  local name=$1 address fd
  shift
  mkfifo "$service_work/$name.fifo"
  "$@" >"$service_work/$name.fifo" 2>"$service_work/$name.log" &
  service_pids+=($!)
  exec {fd}<"$service_work/$name.fifo"
  if ! read -r -t 60 -u "$fd" address; then
    echo "$name did not start:" >&2
    cat "$service_work/$name.log" >&2
    exit 1
  fi
  printf -v "$name" '%s' "$address"
}
