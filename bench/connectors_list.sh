#!/usr/bin/env bash
# Side-by-side: listing the state of every connector of a 500-connector
# cluster with `cdcctl connectors list` (one request, expand=status&info)
# versus the loop people write today: one curl per connector piped into jq.
# Both run against the Kafka Connect double on this machine; prints the
# median of N runs each (default 5) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
count=${CONNECTORS:-500}
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
source scripts/lib/services.sh
source scripts/lib/bench.sh
start_service connect "$bin/tests/connect-double" --version 3.9.0

echo "creating $count connectors..."
create_connectors "$connect" "$count"

curl_jq_loop() {
  for name in $(curl -s "$connect/connectors" | jq -r '.[]'); do
    curl -s "$connect/connectors/$name/status" | jq -r '[.name, .connector.state, ([.tasks[] | select(.state == "RUNNING")] | length)] | @tsv'
  done
}
cdcctl_list() { "$cdcctl" connectors list --connect-url "$connect" -o json; }

# Both must report every connector, or the comparison means nothing.
[[ $(curl_jq_loop | wc -l) -eq $count ]] || { echo "curl+jq loop did not list $count connectors" >&2; exit 1; }
[[ $(cdcctl_list | jq length) -eq $count ]] || { echo "cdcctl did not list $count connectors" >&2; exit 1; }

ours=$(median_ms cdcctl_list)
theirs=$(median_ms curl_jq_loop)
printf '%-40s %10s\n' "list $count connectors with state" "median"
printf '%-40s %8sms\n' "cdcctl connectors list -o json" "$ours"
printf '%-40s %8sms\n' "curl + jq, one request per connector" "$theirs"
printf 'ratio: cdcctl is %sx faster (%s runs each)\n' "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1f", b / a }')" "$runs"
