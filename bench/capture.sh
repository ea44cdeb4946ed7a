#!/usr/bin/env bash
# Side-by-side: how fast is change capture from PostgreSQL?
#   pg_recvlogical   PostgreSQL's own client draining a pgoutput slot to /dev/null: the
#                    decoder's speed, the physical limit on this machine
#   cdcctl run       the same changes as Debezium events (schemas on, as Debezium's
#                    defaults) committed into an embedded Kafka broker in another process,
#                    exactly once, measured until the slot confirms the last transaction
#                    (cdcctl confirms only after the Kafka transaction committed)
# Workload (the same WAL for both; one slot each, created before it): 100,000 single-row
# transactions, then one transaction of 1,000,000 rows. Prints events/s for both, the ratio
# (goal: at least 0.8) and cdcctl's peak RSS (goal: under 64 MB). The machine is noisy, so
# each tool drains the same WAL RUNS times (default 3, alternating, one slot per run) and
# the medians are compared. Knobs:
#   RUNS=N             runs per tool (the medians are compared)
#   SMALL=1            a tenth of the workload
#   DECODING_MEM=2GB   logical_decoding_work_mem (default 64MB: the bulk transaction spills)
#   BENCH_TMPDIR=DIR   where PostgreSQL's data lives (default /dev/shm: the comparison is of
#                      decoding work, not of this machine's disk, whose speed varies by 3x)
#   PG_TRANSPORT=unix  cdcctl reaches PostgreSQL over its unix socket instead of TCP on
#                      127.0.0.1 (the default: a capture's database is usually on another host)
#   RECV_TRANSPORT=tcp pg_recvlogical over TCP instead of the unix socket (the default: its
#                      fastest path, so the limit; over TCP it takes twice as long here)
#   SCHEMAS=false      events without the JSON converter's schema wrapper
#   BATCH=N            max.batch.size (default 2048): events per Kafka transaction
#   TX_INTERVAL=MS     transaction.boundary=interval instead: a Kafka transaction per MS
#   CDCCTL_WRAP=CMD    run cdcctl under CMD, e.g. "perf record -g -o /tmp/perf.data --"
#   BASELINE=PATH      also run another cdcctl build (say, main's) on its own slot in every
#                      run, and print the ratio of the two: a change's effect, measured in
#                      the same minutes as the change (this machine's speed drifts by 2x);
#                      BASELINE_EXTRA=... its worker properties instead of WORKER_EXTRA's, so
#                      BASELINE=build/apps/cdcctl/cdcctl compares two settings of one build
#   CDCCTL_FLAGS=-vv, WORKER_EXTRA=producer.debug=eos, METRICS=1s, SHOWLOG=1: diagnostics
set -euo pipefail
# Checked before minutes of workload, and BASELINE made absolute before the cd below.
cdcctl_transport=${PG_TRANSPORT:-tcp}; recv_transport=${RECV_TRANSPORT:-unix}
for transport in "$cdcctl_transport" "$recv_transport"; do
  [[ $transport == tcp || $transport == unix ]] || { echo "PG_TRANSPORT and RECV_TRANSPORT are tcp or unix" >&2; exit 2; }
done
baseline=${BASELINE:+$(realpath "$BASELINE")}
cd "$(dirname "$0")/.."
small=${SMALL:-0}
singles=100000; bulk=1000000
if [[ $small == 1 ]]; then singles=10000; bulk=100000; fi
events=$((singles + bulk))
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
export TMPDIR=${BENCH_TMPDIR:-/dev/shm}
source scripts/lib/services.sh
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
start_service pg "$bin/tests/throwaway-postgres"
runs=${RUNS:-3}
topics=()
tags=(bench); [[ -n $baseline ]] && tags+=(base)
for ((run = 1; run <= runs; run++)); do
  for tag in "${tags[@]}"; do topics+=(--topic "$tag$run.public.t:8" --topic "connect-offsets-$tag-$run:25"); done
done
start_service kafka "$bin/tests/embedded-kafka" "${topics[@]}"
sql() { "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$pg" -c "$1"; }
now_ms() { date +%s%3N; }

if [[ -n ${DECODING_MEM:-} ]]; then
  sql "ALTER SYSTEM SET logical_decoding_work_mem = '$DECODING_MEM'" && sql "SELECT pg_reload_conf()" >/dev/null
fi
sql "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL, note text, at timestamptz NOT NULL DEFAULT now());
     CREATE PUBLICATION dbz_publication FOR TABLE t"
for ((run = 1; run <= runs; run++)); do
  for slot in "recvlogical_$run" "${tags[@]/%/_$run}"; do sql "SELECT pg_create_logical_replication_slot('$slot', 'pgoutput')" >/dev/null; done
done

echo "workload: $singles single-row transactions, then one of $bulk rows..."
sql "DO \$\$ BEGIN FOR i IN 1..$singles LOOP INSERT INTO t (id, qty, note) VALUES (i, i % 100, 'single ' || i); COMMIT; END LOOP; END \$\$"
bulk_xid=$(sql "BEGIN; INSERT INTO t (id, qty, note) SELECT g, g % 100, 'bulk ' || g FROM generate_series($singles + 1, $singles + $bulk) g;
                SELECT txid_current(); COMMIT;")
# With synchronous_commit off the last of it may not be flushed yet, and the first drain
# would start while it is: all of it is flushed before any tool reads it.
sql "CHECKPOINT"
end_lsn=$(sql "SELECT pg_current_wal_lsn()")
echo "WAL written up to $end_lsn"

socket=${pg#host=}; socket=${socket%% *}
port=${pg#*port=}; port=${port%% *}
# Each tool on its faster path by default. The walsender sends every change with a write of
# its own. pg_recvlogical keeps up and reads each as it comes: cheapest through the unix
# socket (over TCP every change is a loopback segment of its own, which doubles its time
# here). cdcctl reads behind the walsender, and then TCP is cheaper: it merges the small
# segments as they queue and cdcctl reads them in large pieces, where a unix socket keeps
# every change as its own kernel buffer, taken and freed one by one (about 1 CPU-second more
# for cdcctl and 0.7 for the walsender here).
transport_host() { if [[ $1 == tcp ]]; then echo 127.0.0.1; else echo "$socket"; fi; }
recv_host=$(transport_host "$recv_transport")
pg_host=$(transport_host "$cdcctl_transport")
recv_times=(); run_times=(); base_times=(); peak_kb=0

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"; }

# pg_recvlogical: stream its slot to /dev/null until the end of the workload.
drain_recvlogical() {
  local start; start=$(now_ms)
  "$pg_bin/pg_recvlogical" -d "$pg host=$recv_host" --slot "recvlogical_$1" --start --endpos "$end_lsn" --no-loop \
    -o proto_version=1 -o publication_names=dbz_publication -f /dev/null
  recv_times+=($(( $(now_ms) - start )))
}

# cdcctl run: a worker on its slot, until its offsets topic holds the bulk transaction's
# offset: the last record of the Kafka transaction that carries the bulk's events.
drain_cdcctl() {
  local run=$1 tag=${2:-bench} binary=${3:-$cdcctl} extra=${4-${WORKER_EXTRA:-}} start run_pid rss
  printf 'bootstrap.servers=%s\nstate.dir=%s\noffset.storage.topic=connect-offsets-%s-%s\n%s\n' \
    "$kafka" "$service_work/state-$tag-$run" "$tag" "$run" "$extra" >"$service_work/worker.properties"
  cat >"$service_work/bench.json" <<JSON
{"name": "$tag", "config": {"connector.class": "postgres", "plugin.name": "pgoutput",
  "database.hostname": "$pg_host", "database.port": "$port", "database.user": "postgres", "database.dbname": "postgres",
  "topic.prefix": "$tag$run", "slot.name": "${tag}_$run", "snapshot.mode": "no_data", "max.batch.size": "${BATCH:-2048}",
  ${TX_INTERVAL:+\"transaction.boundary\": \"interval\", \"transaction.boundary.interval.ms\": \"$TX_INTERVAL\",}
  "key.converter.schemas.enable": "${SCHEMAS:-true}", "value.converter.schemas.enable": "${SCHEMAS:-true}", "publication.autocreate.mode": "disabled"}}
JSON
  broker_before=$(cpu_seconds "${service_pids[1]}")
  # One consumer follows the offsets topic throughout (a kcat started per check
  # took half a second each, most of it its fetch wait, and that was counted
  # against cdcctl); it asks the broker to answer a fetch within 10 ms. (Its
  # fetches count in the broker CPU printed below.)
  local offsets_seen="$service_work/offsets-$tag-$run.txt"
  : >"$offsets_seen"  # empty before the follower starts: the wait below must see only this drain's offsets
  kcat -b "$kafka" -C -t "connect-offsets-$tag-$run" -o beginning -u -q -X fetch.wait.max.ms=10 -f '%s\n' \
    >"$offsets_seen" 2>/dev/null &
  local follower=$!
  service_pids+=("$follower")  # stopped on exit too, e.g. after Ctrl-C
  start=$(now_ms)
  ${CDCCTL_WRAP:-} "$binary" ${CDCCTL_FLAGS:-} run "$service_work/worker.properties" "$service_work/bench.json" \
    --metrics-interval ${METRICS:-0} 2>"$service_work/run.log" &
  run_pid=$!
  until grep -q "\"txId\":$bulk_xid," "$offsets_seen"; do
    if ! kill -0 "$run_pid" 2>/dev/null; then
      kill "$follower" 2>/dev/null || true
      echo "cdcctl run stopped:"; cat "$service_work/run.log"; exit 1
    fi
    if ! kill -0 "$follower" 2>/dev/null; then
      kill "$run_pid" 2>/dev/null || true
      echo "kcat stopped following connect-offsets-$tag-$run"; exit 1
    fi
    sleep 0.01
  done
  if [[ $tag == base ]]; then base_times+=($(( $(now_ms) - start ))); else run_times+=($(( $(now_ms) - start ))); fi
  kill "$follower" 2>/dev/null || true
  wait "$follower" 2>/dev/null || true
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$run_pid/status" 2>/dev/null || echo 0)
  [[ $tag == bench ]] && (( rss > peak_kb )) && peak_kb=$rss
  # Where the CPU went: cdcctl (all its threads) and the walsender decoding for it.
  walsender=$(sql "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '${tag}_$run'")
  broker_cpu=$(awk -v a="$broker_before" -v b="$(cpu_seconds "${service_pids[1]}")" 'BEGIN { printf "%.1f", b - a }')
  cpu_note="cdcctl $(cpu_seconds "$run_pid") s CPU, its walsender $(cpu_seconds "$walsender") s, the broker $broker_cpu s"
  kill -TERM "$run_pid"; wait "$run_pid" || true
  [[ -n ${SHOWLOG:-} ]] && cat "$service_work/run.log"
  return 0
}

drain_baseline() {
  [[ -n $baseline ]] || return 0
  drain_cdcctl "$1" base "$baseline" "${BASELINE_EXTRA-${WORKER_EXTRA:-}}"
  echo "run $1: baseline cdcctl run ${base_times[-1]} ms ($cpu_note)"
}
for ((run = 1; run <= runs; run++)); do
  # Alternating which goes first, so neither always finds the WAL in the page cache.
  if (( run % 2 )); then
    drain_recvlogical "$run"; drain_cdcctl "$run"; note=$cpu_note; drain_baseline "$run"
  else
    drain_baseline "$run"; drain_cdcctl "$run"; note=$cpu_note; drain_recvlogical "$run"
  fi
  echo "run $run: pg_recvlogical ${recv_times[-1]} ms, cdcctl run ${run_times[-1]} ms ($note)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# pg_recvlogical --endpos stops at the first keepalive that reports the end position, which
# can come before the last rows of the bulk transaction (seen in first runs, 2.4 s against
# 4.9 s, before the CHECKPOINT above). Such a run drained only part of the WAL: it is said
# and left out. (Judged against the longest run: early ones may be half of them.)
longest=$(printf '%s\n' "${recv_times[@]}" | sort -n | tail -1)
drained=()
for ((run = 1; run <= runs; run++)); do
  if (( recv_times[run - 1] * 10 < longest * 6 )); then
    echo "note: run $run's pg_recvlogical (${recv_times[run - 1]} ms) stopped early, at a keepalive: left out"
  else
    drained+=("${recv_times[run - 1]}")
  fi
done
recv_ms=$(median "${drained[@]}")
run_ms=$(median "${run_times[@]}")

rate() { awk -v n="$events" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
printf '\n%-66s %10s %12s\n' "capture $events changes (median of $runs runs)" "time" "events/s"
printf '%-66s %8dms %12s\n' "pg_recvlogical (pgoutput to /dev/null, $recv_transport)" "$recv_ms" "$(rate "$recv_ms")"
printf '%-66s %8dms %12s\n' "cdcctl run (Debezium JSON into Kafka, exactly once, $cdcctl_transport)" "$run_ms" "$(rate "$run_ms")"
awk -v a="$recv_ms" -v b="$run_ms" 'BEGIN { printf "ratio: cdcctl runs at %.2f of pg_recvlogical'"'"'s rate (goal 0.8)\n", a / b }'
echo "cdcctl peak RSS: $((peak_kb / 1024)) MB (goal: under 64 MB)"
if [[ -n $baseline ]]; then
  base_ms=$(median "${base_times[@]}")
  printf '%-66s %8dms %12s\n' "baseline: $baseline" "$base_ms" "$(rate "$base_ms")"
  awk -v a="$base_ms" -v b="$run_ms" 'BEGIN { printf "this build runs at %.2f of the baseline'"'"'s rate\n", a / b }'
fi
