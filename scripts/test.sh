#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: unit and
# integration tests (which start their own PostgreSQL, Kafka and Connect
# double), then the unit tests again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

echo "== build"
./scripts/build.sh build
echo "== tests (unit + integration)"
(cd build && ctest --output-on-failure -j2)

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCDCCTL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" --target unit_tests
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -L unit --output-on-failure -j2)
