#!/usr/bin/env bash
# Side-by-side: is a 1,000,000-row target table the same as its source?
#   cdcctl reconcile --mode rows     hash bisection, the keys of the rows that differ
#   the floor                        one count(*) + MD5 aggregate per side, both sides in
#                                    parallel: the least any checksum comparison can cost
#   export and diff                  psql \copy of both tables sorted by key, piped into diff
# First with no differences, then with one changed row. cdcctl must say exactly what the
# others say (match / the one key). Prints the median of N runs each (default 3) and the
# ratios (> 1 means cdcctl is faster). Goal: within 2x of the floor with no differences,
# and the changed row found within 2x of that.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rows=${ROWS:-1000000}
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl
[[ -x $cdcctl ]] || ./scripts/build.sh >/dev/null
source scripts/lib/services.sh
source scripts/lib/bench.sh
start_service pg "$bin/tests/throwaway-postgres"
psql_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
sql() { "$psql_bin" -X -q -At -v ON_ERROR_STOP=1 -d "$pg dbname=$1" -c "$2"; }

echo "loading $rows rows into two databases..."
sql postgres "CREATE DATABASE source" && sql postgres "CREATE DATABASE target"
for db in source target; do
  sql "$db" "CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, balance numeric(12,2),
               active boolean, created_at timestamptz);
             INSERT INTO customers SELECT g, 'name ' || g, 'u' || g || '@example.org', g * 1.5, g % 2 = 0,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1.5 second' FROM generate_series(1, $rows) g;"
  sql "$db" "VACUUM ANALYZE customers"
done

ours() {
  "$cdcctl" reconcile --source "pg:$pg dbname=source" --target "pg:$pg dbname=target" --table customers -o json || [[ $? == 1 ]]
}
floor() {
  local query="SELECT count(*), sum(('x' || left(md5(c::text), 16))::bit(64)::bigint) FROM customers c"
  sql source "$query" >"$service_work/floor.source" &
  sql target "$query" >"$service_work/floor.target"
  wait
  cmp -s "$service_work/floor.source" "$service_work/floor.target" || true
}
export_diff() {
  diff <(sql source "\copy (SELECT * FROM customers ORDER BY id) TO STDOUT") \
       <(sql target "\copy (SELECT * FROM customers ORDER BY id) TO STDOUT") || [[ $? == 1 ]]
}

measure() {
  local label=$1 expected=$2
  # All three must agree before their times mean anything.
  local found
  found=$(ours | jq -r '[.tables[0].discrepancies[] | select(.issue_type == "ROW_MISMATCH") | .key.id] | join(",")')
  [[ $found == "$expected" ]] || { echo "cdcctl found '$found', expected '$expected'" >&2; exit 1; }
  local diffs
  diffs=$(export_diff | grep -c '^<' || true)
  [[ $diffs == $([[ -z $expected ]] && echo 0 || echo 1) ]] || { echo "diff found $diffs changed lines" >&2; exit 1; }
  local t_ours t_floor t_diff
  t_ours=$(median_ms ours)
  t_floor=$(median_ms floor)
  t_diff=$(median_ms export_diff)
  printf '\n%s\n' "$label"
  printf '  %-58s %10sms\n' "cdcctl reconcile --mode rows" "$t_ours"
  printf '  %-58s %10sms\n' "floor: count(*) + md5 aggregate per side, in parallel" "$t_floor"
  printf '  %-58s %10sms\n' "psql \\copy … ORDER BY id | diff" "$t_diff"
  awk -v o="$t_ours" -v f="$t_floor" -v d="$t_diff" \
    'BEGIN { printf "  ratio: floor/cdcctl %.2fx, diff/cdcctl %.2fx (> 1: cdcctl faster)\n", f / o, d / o }'
  last_ours=$t_ours
}

measure "$rows vs $rows rows, no differences ($runs runs, medians)" ""
identical=$last_ours
sql target "UPDATE customers SET email = 'changed@example.org' WHERE id = $((rows * 2 / 3))"
measure "$rows vs $rows rows, one changed row ($runs runs, medians)" "$((rows * 2 / 3))"
awk -v c="$last_ours" -v i="$identical" 'BEGIN { printf "\nthe changed row took %.2fx the time of the identical tables\n", c / i }'
