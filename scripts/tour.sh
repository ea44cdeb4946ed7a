#!/usr/bin/env bash
# The tour of the operations commands: installs what is missing, builds, and runs them end to end on embedded
# defaults: a throwaway PostgreSQL 15, the embedded Kafka broker and the Kafka
# Connect double are started locally, cdcctl is pointed at them through a
# context, and everything is stopped and removed at the end. Nothing outside
# a temporary directory is touched (your own contexts file included).
source "$(dirname "$0")/lib/demo.sh"
step() { printf '\n%s$ %s%s\n' "$bold" "${*/#$bin\/apps\/cdcctl\//}" "$plain"; "$@" || echo "(exit code $?)"; }

echo "Starting a throwaway PostgreSQL 15, the embedded Kafka broker and the Connect double..."
start_service pg "$bin/tests/throwaway-postgres"
start_service kafka "$bin/tests/embedded-kafka" --topic dbserver1.public.orders:3
start_service connect "$bin/tests/connect-double" --version 3.9.0
echo "  postgres: $pg"
echo "  kafka:    $kafka"
echo "  connect:  $connect"

step "$cdcctl" version
step "$cdcctl" context set demo --connect-url "$connect" --bootstrap-servers "$kafka" --pg "$pg" --timeout 5s
step "$cdcctl" context list
step "$cdcctl" ping
step "$cdcctl" ping kafka -o json
step "$cdcctl" context show --effective --timeout 3s

echo
echo "Two connectors, one task failing: health is CRITICAL (exit 2); --restart-failed restarts exactly that task."
for name in inventory orders; do
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$connect/connectors" \
    --data "{\"name\":\"$name\",\"config\":{\"connector.class\":\"FileStreamSource\",\"topic\":\"$name\",\"tasks.max\":\"2\"}}"
done
curl -sf -X POST "$connect/__double/fail-task?connector=orders&task=1" \
  --data-binary $'org.apache.kafka.connect.errors.ConnectException: replication slot "orders" is inactive\n\tat io.debezium.X'
step "$cdcctl" connectors list
step "$cdcctl" health --state-file "$service_work/health.json"
step "$cdcctl" health --restart-failed --state-file "$service_work/health.json" --prometheus "$service_work/cdcctl.prom"
step "$cdcctl" health --state-file "$service_work/health.json" -o wide
step grep -E '^cdcctl_(health_status|connect_restarts_total)' "$service_work/cdcctl.prom"
step "$cdcctl" restart rolling connectors --all --dry-run

echo
echo "PostgreSQL: is it ready for a Debezium connector, and are its replication slots healthy?"
psql_demo() { PGCONNECT_TIMEOUT=5 psql "$pg" -qAt -c "$1" >/dev/null; }
psql_demo "CREATE TABLE IF NOT EXISTS public.customers (id int PRIMARY KEY, name text)"
psql_demo "CREATE TABLE IF NOT EXISTS public.audit_log (at timestamptz, line text)"
step "$cdcctl" pg preflight --tables public.customers,public.audit_log
step "$cdcctl" slots create debezium
psql_demo "INSERT INTO public.audit_log SELECT now(), repeat('x', 200) FROM generate_series(1, 50000)"
step "$cdcctl" slots list
step "$cdcctl" slots check --warn-retained 4MB --crit-retained 1GB --state-file "$service_work/slots.json"
step "$cdcctl" slots drop debezium --yes

echo
echo "Kafka topics: the schema-history topic as Debezium needs it (a dry run: the embedded broker has no admin API)."
step "$cdcctl" topics create-history schema-history.dbserver1 --replication-factor 1 --dry-run
step "$cdcctl" topics create-history schema-history.dbserver1 --replication-factor 1

echo
echo "A dead-letter queue as Kafka Connect writes it (kcat -H sets the context headers): what broke, and a replay."
for i in 1 2 3; do
  printf '{"before":null,"after":{"id":%d,"email":null},"source":{"schema":"public","table":"orders"},"op":"c","ts_ms":1795312800000}\n' "$i" |
    kcat -b "$kafka" -t dlq-demo -P -k "{\"id\":$i}" \
    -H "__connect.errors.topic=dbserver1.public.orders" -H "__connect.errors.partition=0" -H "__connect.errors.offset=$((41 + i))" \
    -H "__connect.errors.connector.name=jdbc-sink" -H "__connect.errors.task.id=0" -H "__connect.errors.stage=TASK_PUT" \
    -H "__connect.errors.exception.class.name=java.sql.SQLException" \
    -H "__connect.errors.exception.message=null value in column \"email\" of row $i violates not-null constraint"
done
step "$cdcctl" dlq stats dlq-demo
step "$cdcctl" dlq inspect dlq-demo --last 1
step "$cdcctl" dlq replay dlq-demo --dry-run
step "$cdcctl" dlq replay dlq-demo --yes
step "$cdcctl" events tail dbserver1.public.orders --last 1

echo
echo "Reconcile: is the target a faithful copy? 50,000 customers, one lost, one stray, one stale (exit 1)."
pg_server=${pg% dbname=*}  # the same server, any database
psql_demo "CREATE DATABASE shop_source"
psql_demo "CREATE DATABASE shop_target"
for db in shop_source shop_target; do
  PGCONNECT_TIMEOUT=5 psql "$pg_server dbname=$db" -qAt -c "CREATE TABLE customers (id bigint PRIMARY KEY, email text,
    balance numeric(12,2), updated_at timestamptz);
    INSERT INTO customers SELECT g, 'u' || g || '@example.org', g * 1.5, timestamptz '2026-01-01 00:00:00+00'
    FROM generate_series(1, 50000) g" >/dev/null
done
PGCONNECT_TIMEOUT=5 psql "$pg_server dbname=shop_target" -qAt -c "DELETE FROM customers WHERE id = 4242;
  INSERT INTO customers VALUES (90001, 'stray@example.org', 0, now());
  UPDATE customers SET email = 'old@example.org' WHERE id = 31337" >/dev/null
step "$cdcctl" reconcile --source "pg:$pg_server dbname=shop_source" --target "pg:$pg_server dbname=shop_target" --table customers --mode checksum
step "$cdcctl" reconcile --source "pg:$pg_server dbname=shop_source" --target "pg:$pg_server dbname=shop_target" --table customers --show-values

echo
echo "Stopping Kafka: ping now reports it unreachable and exits 3 (for cron and monitoring)."
kill "${service_pids[1]}"; wait "${service_pids[1]}" 2>/dev/null || true
step "$cdcctl" ping --timeout 2s

echo
echo "Demo finished; everything it started is being stopped and removed."
