#!/usr/bin/env bash
# Resolves the real systems of the `real` test tier (Apache Kafka, Kafka Connect,
# Debezium; versions pinned in tests/real/pom.xml) into a cache outside the
# repository and prints the directory that holds them:
#   DIR/lib/*      the broker's and Connect's classpath
#   DIR/plugins/   Connect's plugin.path (Debezium's plugin archives, unpacked)
# The directory is named after the POM's hash, so a second run downloads nothing
# and a changed pin resolves afresh. Cache: $CDCCTL_TEST_CACHE, else
# ${XDG_CACHE_HOME:-~/.cache}/cdcctl-test. Needs java and mvn (install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/tests/real/pom.xml
cache=${CDCCTL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdcctl-test}
dir=$cache/real-$(sha256sum "$pom" | cut -c1-16)

if [[ -f $dir/complete ]]; then
  echo "$dir"
  exit 0
fi
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null; then
    echo "real-deps: $tool is not installed; run scripts/install-deps.sh (default-jdk-headless, maven)" >&2
    exit 1
  fi
done

mkdir -p "$cache"
# Test binaries may start at once: one resolves, the others wait for it.
exec {lock}>"$cache/.lock"
flock "$lock"
if [[ ! -f $dir/complete ]]; then
  rm -rf "$dir.partial"
  log=$cache/maven.log
  echo "real-deps: resolving $(basename "$pom") into $dir (log: $log)" >&2
  if ! mvn -B -f "$pom" -Dcache.dir="$dir.partial" -Dmaven.repo.local="$cache/m2" generate-resources >"$log" 2>&1; then
    echo "real-deps: Maven could not resolve the real systems; the end of $log:" >&2
    grep -E '^\[ERROR\]' "$log" | head -5 >&2 || tail -20 "$log" >&2
    exit 1
  fi
  rm -rf "$dir" "$dir.partial/maven-target"
  mv "$dir.partial" "$dir"
  touch "$dir/complete"
fi
echo "$dir"
