#!/usr/bin/env bash
# Side-by-side: the 2-minute cron health check of a 500-connector cluster with
# 5 failed tasks. `cdcctl health` (one request, expand=status&info) versus the
# seed-style bash loop people run today: one curl per connector, jq to find
# FAILED tasks and the first line of each trace. Both must name the same
# failed tasks. Prints the median of N runs each (default 3) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
count=${CONNECTORS:-500}
failed=5
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
source scripts/lib/services.sh
source scripts/lib/bench.sh
start_service connect "$bin/tests/connect-double" --version 3.9.0

echo "creating $count connectors, failing $failed tasks..."
create_connectors "$connect" "$count"
for i in $(seq 1 "$failed"); do
  name=$(printf 'c-%0*d' "${#count}" $((i * count / (failed + 1))))  # spread over the cluster
  curl -sf -X POST "$connect/__double/fail-task?connector=$name&task=1" \
    --data-binary $'org.apache.kafka.connect.errors.ConnectException: replication slot is gone\n\tat io.debezium.X(X.java:1)'
done

# The loop from the runbooks: list, then one status request per connector.
bash_loop() {
  for name in $(curl -s "$connect/connectors" | jq -r '.[]'); do
    curl -s "$connect/connectors/$name/status" |
      jq -r '.name as $n | .tasks[] | select(.state == "FAILED") | "\($n) \(.id) \(.trace | split("\n")[0])"'
  done
}
cdcctl_health() { "$cdcctl" health --connect-url "$connect" --no-state -o json || true; }
cdcctl_failed() {
  cdcctl_health | jq -r '.problems[] | select(.state == "FAILED") | "\(.connector) \(.task) \(.trace)"'
}

# Same answer, or the comparison means nothing.
ours_answer=$(cdcctl_failed | sort)
theirs_answer=$(bash_loop | sort)
[[ $(wc -l <<<"$ours_answer") -eq $failed ]] || { echo "cdcctl did not find $failed failed tasks" >&2; exit 1; }
[[ $ours_answer == "$theirs_answer" ]] || { echo "different answers:" >&2; diff <(echo "$ours_answer") <(echo "$theirs_answer") >&2; exit 1; }
echo "both found:"
sed 's/^/  /' <<<"$ours_answer"

ours=$(median_ms cdcctl_health)
theirs=$(median_ms bash_loop)
printf '%-44s %10s\n' "health of $count connectors, $failed failed" "median"
printf '%-44s %8sms\n' "cdcctl health -o json" "$ours"
printf '%-44s %8sms\n' "bash loop: curl + jq per connector" "$theirs"
printf 'ratio: cdcctl is %sx faster (%s runs each)\n' "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1f", b / a }')" "$runs"
