#!/usr/bin/env bash
# The main job on embedded defaults: installs what is missing, builds, then
# captures a throwaway PostgreSQL 15 with a sample shop schema into Kafka with
# `cdcctl run --embedded-kafka` while a small workload runs, and shows the
# change events flowing. Everything is stopped and removed at the end; nothing
# outside a temporary directory is touched. scripts/tour.sh tours the
# operations commands (health, offsets, slots, DLQ, reconcile…).
source "$(dirname "$0")/lib/demo.sh"
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
sql() { PGCONNECT_TIMEOUT=5 psql "$pg" -qAt -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

say "A throwaway PostgreSQL 15 (wal_level=logical) with a sample shop schema"
start_service pg "$bin/tests/throwaway-postgres"
echo "  $pg"
sql "CREATE TYPE tier AS ENUM ('bronze', 'silver', 'gold');
     CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, tier tier NOT NULL DEFAULT 'bronze');
     CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, amount numeric(10,2) NOT NULL,
                          status text NOT NULL, placed_at timestamptz NOT NULL DEFAULT now());
     INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 'gold'), (2, 'Bob', 'bob@example.com', 'silver'),
                                  (3, 'Cy', NULL, 'bronze');
     INSERT INTO orders (id, customer_id, amount, status) VALUES (100, 1, 42.00, 'paid'), (101, 2, 9.99, 'new')"

socket=${pg#host=}; socket=${socket%% *}
port=${pg#*port=}; port=${port%% *}
cat >"$service_work/shop.json" <<JSON
{"name": "shop", "config": {
  "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
  "plugin.name": "pgoutput",
  "database.hostname": "$socket", "database.port": "$port",
  "database.user": "postgres", "database.dbname": "postgres",
  "topic.prefix": "shop",
  "table.include.list": "public\\\\.customers,public\\\\.orders",
  "heartbeat.interval.ms": "5000",
  "provide.transaction.metadata": "true"
}}
JSON

say "\$ cdcctl run --embedded-kafka shop.json   (Debezium's PostgreSQL connector, natively; the broker is in memory)"
start_service kafka "$cdcctl" run --embedded-kafka "$service_work/shop.json" --state-dir "$service_work/state" --metrics-interval 0
echo "  Kafka at $kafka (attach with: kcat -b $kafka -L)"
for _ in $(seq 50); do grep -q "streaming from slot" "$service_work/kafka.log" && break; sleep 0.2; done
sed 's/^/  | /' "$service_work/kafka.log"

say "The snapshot, as a consumer sees it: cdcctl events tail shop.public.customers"
"$cdcctl" --bootstrap-servers "$kafka" events tail shop.public.customers --last 10

say "A small workload (new orders, a status change, a customer upgraded, an order deleted), followed live:"
"$cdcctl" --bootstrap-servers "$kafka" events tail shop.public.orders --last 2 --follow &
follower=$!
sleep 1
for i in 1 2 3; do
  sql "INSERT INTO orders (id, customer_id, amount, status) VALUES ($((101 + i)), $(( (i % 3) + 1 )), $i$i.50, 'new')"
  sleep 0.4
done
sql "BEGIN; UPDATE orders SET status = 'paid' WHERE id = 101; UPDATE customers SET tier = 'gold' WHERE id = 2; COMMIT"
sleep 0.4
sql "DELETE FROM orders WHERE id = 103"
sleep 2
kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null || true

say "Transaction metadata (provide.transaction.metadata=true): cdcctl events tail shop.transaction"
"$cdcctl" --bootstrap-servers "$kafka" events tail shop.transaction --last 4

say "\$ cdcctl run --status   (Debezium's metric names)"
"$cdcctl" run --status --state-dir "$service_work/state" -o wide || true

say "The offset, where Kafka Connect keeps it, in Debezium's shape (a connector can move to Debezium and back):"
kcat -b "$kafka" -C -t connect-offsets -e -q -f '%k  %s\n' 2>/dev/null | tail -1
echo "  confirmed_flush_lsn of the slot: $(psql "$pg" -qAt -c "SELECT confirmed_flush_lsn FROM pg_replication_slots")"

say "Stopping the worker (SIGTERM: it finishes the open Kafka transaction and confirms it)"
kill "${service_pids[1]}"; wait "${service_pids[1]}" 2>/dev/null || true
tail -n 1 "$service_work/kafka.log" | sed 's/^/  | /'
echo
echo "Demo finished; everything it started is being stopped and removed. scripts/tour.sh tours the operations commands."
