#!/usr/bin/env bash
# Side-by-side: "what offset does connector X have?" read straight from the
# offsets topic, the question every Connect < 3.5 runbook answers with kcat.
# A 25-partition connect-offsets topic holds RECORDS (default 200,000) offset
# records of 1,000 Debezium connectors (not yet compacted, as on a busy
# cluster). cdcctl replays the topic as a worker does (latest record per key,
# tombstones remove) versus the runbook pipeline: kcat dumps the topic, grep
# keeps the connector's keys, awk keeps the last value per key. Both must
# print the same offset. Prints the median of N runs each (default 5) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
records=${RECORDS:-200000}
connectors=1000
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
command -v kcat >/dev/null || { echo "kcat is needed (apt-get install kcat)" >&2; exit 1; }
source scripts/lib/services.sh
source scripts/lib/bench.sh
start_service kafka "$bin/tests/embedded-kafka" --topic connect-offsets:25

echo "writing $records offset records of $connectors connectors..."
awk -v n="$records" -v c="$connectors" 'BEGIN {
  for (i = 0; i < n; i++) {
    id = i % c
    printf "[\"c-%04d\",{\"server\":\"c-%04d\"}]|{\"lsn\":%d,\"txId\":%d,\"ts_usec\":1795312800123456}\n", id, id, 24000000 + i, 500 + i
  }
}' | kcat -b "$kafka" -t connect-offsets -P -K '|' -X topic.partitioner=murmur2_random -X linger.ms=50

wanted=c-0500
cdcctl_get() { "$cdcctl" offsets get --via-topic "$wanted" --bootstrap-servers "$kafka" -o json; }
runbook() {
  kcat -b "$kafka" -t connect-offsets -C -e -q -f '%k\t%s\n' | grep -F "[\"$wanted\"," |
    awk -F'\t' '{ last[$1] = $2 } END { for (k in last) print last[k] }'
}

# Same answer, or the comparison means nothing.
ours_answer=$(cdcctl_get | jq -r '.[0].offsets[0].offset.lsn')
theirs_answer=$(runbook | jq -r '.lsn')
[[ -n $ours_answer && $ours_answer == "$theirs_answer" ]] ||
  { echo "different answers: cdcctl $ours_answer, kcat $theirs_answer" >&2; exit 1; }
echo "both read lsn $ours_answer for $wanted"

ours=$(median_ms cdcctl_get)
theirs=$(median_ms runbook)
printf '%-52s %10s\n' "offset of one connector, $records records" "median"
printf '%-52s %8sms\n' "cdcctl offsets get --via-topic" "$ours"
printf '%-52s %8sms\n' "kcat -C -e | grep | awk (last value per key)" "$theirs"
printf 'ratio: cdcctl is %sx faster (%s runs each)\n' "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", b / a }')" "$runs"
