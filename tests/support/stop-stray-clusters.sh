#!/usr/bin/env bash
# Stops throwaway PostgreSQL clusters whose test process died without tearing
# them down (a crash or kill -9 skips destructors), and removes their files.
# Run by ctest after the integration tests; safe while other tests run,
# because clusters whose owner is alive are left alone.
set -u
for dir in "${TMPDIR:-/tmp}"/cdcctl-pg-*; do
  [[ -f "$dir/owner.pid" ]] || continue
  owner=$(cat "$dir/owner.pid")
  if [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null; then continue; fi
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    postmaster=$(head -n 1 "$dir/data/postmaster.pid")
    # Only a postgres process whose data directory is this one (pids get reused).
    if [[ "$(cat "/proc/$postmaster/comm" 2>/dev/null)" != postgres ]] ||
       ! tr '\0' ' ' <"/proc/$postmaster/cmdline" 2>/dev/null | grep -q -- "$dir/data"; then
      rm -rf "$dir"
      continue
    fi
    echo "stopping stray PostgreSQL (pid $postmaster) left in $dir"
    kill -QUIT "$postmaster" 2>/dev/null || true  # immediate shutdown
    for _ in $(seq 50); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
done
exit 0
