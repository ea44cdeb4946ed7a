#!/usr/bin/env bash
# Side-by-side: "what broke and since when?" over a dead-letter queue of
# RECORDS (default 300,000) records carrying Kafka Connect's context headers.
# cdcctl dlq stats reads the topic, decodes every record's headers and groups
# the failures, versus kcat dumping headers and values ('%h %s'), which a
# runbook would then pipe into sort | uniq -c. Prints the median of N runs
# each (default 5) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
records=${RECORDS:-300000}
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
command -v kcat >/dev/null || { echo "kcat is needed (apt-get install kcat)" >&2; exit 1; }
source scripts/lib/services.sh
source scripts/lib/bench.sh
# The embedded broker keeps only the newest few MB of each partition, so the
# records are spread over enough partitions to keep every one of them.
start_service kafka "$bin/tests/embedded-kafka" --topic dlq-bench:100

# Five kinds of failure, one kcat run each (kcat's -H sets the same headers
# on every record of a run).
kinds=(
  "orders|org.apache.kafka.connect.errors.ConnectException|Column 'email' value 17 violates not-null constraint|TASK_PUT"
  "orders|org.apache.kafka.connect.errors.DataException|Converting byte[] to Kafka Connect data failed due to serialization error|VALUE_CONVERTER"
  "payments|java.sql.SQLException|connection to 10.0.0.12:5432 refused|TASK_PUT"
  "payments|org.apache.kafka.connect.errors.DataException|Unknown field 'amount_cents'|TRANSFORMATION"
  "customers|java.sql.BatchUpdateException|duplicate key value violates unique constraint \"customers_pkey\"|TASK_PUT"
)
per_kind=$((records / ${#kinds[@]}))
echo "writing $records DLQ records with Kafka Connect's context headers..."
for k in "${!kinds[@]}"; do
  IFS='|' read -r topic exception message stage <<<"${kinds[$k]}"
  awk -v n="$per_kind" -v k="$k" 'BEGIN { for (i = 0; i < n; i++) printf "%d-%d|{\"id\":%d,\"kind\":%d,\"email\":null}\n", k, i, i, k }' |
    kcat -b "$kafka" -t dlq-bench -P -K '|' -X linger.ms=50 \
      -H "__connect.errors.topic=$topic" -H "__connect.errors.partition=$k" -H "__connect.errors.offset=$((k * 1000))" \
      -H "__connect.errors.connector.name=jdbc-sink" -H "__connect.errors.task.id=0" -H "__connect.errors.stage=$stage" \
      -H "__connect.errors.class.name=io.debezium.connector.jdbc.JdbcSinkConnectorTask" \
      -H "__connect.errors.exception.class.name=$exception" -H "__connect.errors.exception.message=$message" \
      -H "__connect.errors.exception.stacktrace=$exception: $message
	at io.debezium.connector.jdbc.JdbcChangeEventSink.execute(JdbcChangeEventSink.java:85)
	at org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:601)"
done

cdcctl_stats() { "$cdcctl" dlq stats dlq-bench --bootstrap-servers "$kafka" -o json; }
kcat_dump() { kcat -b "$kafka" -t dlq-bench -C -e -q -f '%h %s\n'; }

# Both read every record, or the comparison means nothing.
matched=$(cdcctl_stats | jq -r '.matched')
lines=$(kcat_dump | grep -c '__connect.errors.topic=' || true)
[[ $matched == "$((per_kind * ${#kinds[@]}))" && $lines == "$matched" ]] ||
  { echo "different counts: cdcctl $matched, kcat $lines" >&2; exit 1; }
echo "both read $matched records; cdcctl found $(cdcctl_stats | jq '.groups | length') kinds of failure"

ours=$(median_ms cdcctl_stats)
theirs=$(median_ms kcat_dump)
printf '%-56s %10s\n' "scan of a DLQ, $matched records with headers" "median"
printf '%-56s %8sms\n' "cdcctl dlq stats (decode, group)" "$ours"
printf '%-56s %8sms\n' "kcat -C -e -f '%h %s' (dump only)" "$theirs"
printf 'ratio: cdcctl is %sx faster (%s runs each)\n' "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", b / a }')" "$runs"
