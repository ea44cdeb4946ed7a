# Sourced by bench/*.sh.
#   median_ms COMMAND...   runs COMMAND $runs times (output discarded; a failure
#                          ends the benchmark) and prints the median wall time in
#                          milliseconds with $median_decimals decimals (default 1)
median_ms() {
  local times=() start end
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n |
    awk -v d="${median_decimals:-1}" '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.*f", d, m / 1000}'
}

#   create_connectors URL COUNT   creates COUNT source connectors c-001… with two
#                                 tasks each on the Connect worker (or double) at URL
create_connectors() {
  local url=$1 count=$2 i
  for i in $(seq -w 1 "$count"); do
    printf '{"name":"c-%s","config":{"connector.class":"FileStreamSource","topic":"t%s","tasks.max":"2"}}\n' "$i" "$i"
  done | while read -r body; do
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data "$body" "$url/connectors"
  done
}
