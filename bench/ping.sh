#!/usr/bin/env bash
# Side-by-side: the time to answer "is it up, and what version?" with cdcctl
# versus what a user would otherwise run, on the same local services:
#   Kafka Connect: cdcctl ping connect   vs  curl -s URL/ | jq -r .version
#   Kafka:         cdcctl ping kafka     vs  kcat -L (metadata)
#   PostgreSQL:    cdcctl ping postgres  vs  psql -c 'show wal_level'
# Prints the median of N runs of each (default 30) and the ratio. The machine
# is small and noisy: read the ratios, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null

source scripts/lib/services.sh
start_service pg "$bin/tests/throwaway-postgres"
start_service kafka "$bin/tests/embedded-kafka" --topic bench:3
start_service connect "$bin/tests/connect-double"

source scripts/lib/bench.sh
median_decimals=2

curl_jq() { curl -s "$connect/" | jq -r .version; }
printf '%-12s %-28s %10s   %-34s %10s   %s\n' "service" "cdcctl" "median" "instead" "median" "ratio"
row() {
  local service=$1 ours_label=$2 theirs_label=$3; shift 3
  local ours theirs
  ours=$(median_ms "${ours_cmd[@]}")
  theirs=$(median_ms "$@")
  printf '%-12s %-28s %8sms   %-34s %8sms   %sx\n' "$service" "$ours_label" "$ours" "$theirs_label" "$theirs" \
    "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", b / a }')"
}
ours_cmd=("$cdcctl" ping connect --connect-url "$connect")
row connect "cdcctl ping connect" "curl | jq .version" curl_jq
ours_cmd=("$cdcctl" ping kafka --bootstrap-servers "$kafka")
if command -v kcat >/dev/null; then row kafka "cdcctl ping kafka" "kcat -L" kcat -L -b "$kafka"; fi
ours_cmd=("$cdcctl" ping postgres --pg "$pg")
row postgres "cdcctl ping postgres" "psql -c 'show wal_level'" psql -X -d "$pg" -Atc 'show wal_level'
echo "(ratio > 1: cdcctl is faster; $runs runs each)"
