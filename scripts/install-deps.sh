#!/usr/bin/env bash
# Installs what cdcctl needs to build and test, from Debian packages only.
# Idempotent: when everything is present it changes nothing and downloads nothing.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make
  # libraries cdcctl links
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev librdkafka-dev libpq-dev
  unixodbc-dev libcurl4-openssl-dev libssl-dev libcpp-httplib-dev doctest-dev
  # what the tests run against: a real PostgreSQL 15, kcat as a peer Kafka client,
  # ODBC drivers, groff to check the man pages, openssl for TLS tests, curl+jq for
  # the benchmarks that compare against them
  postgresql-15 postgresql-client-15 kcat odbc-postgresql libsqliteodbc sqlite3 groff-base openssl curl jq
  # the real tier: a JDK and Maven resolve and run Apache Kafka, Kafka Connect and
  # Debezium from Maven artifacts (tests/real/pom.xml); confluent-kafka's
  # AdminClient checks topic configs independently of cdcctl
  default-jdk-headless maven python3-confluent-kafka
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo=(sudo); else
    echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's postgresql package creates and starts a cluster on port 5432 where
# services can start; the tests use their own throwaway clusters instead.
echo "install-deps: done"
