# Sourced by scripts/demo.sh and scripts/tour.sh: install what is missing,
# build, start services through services.sh (stopped on exit), and keep the
# contexts file in the temporary directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

./scripts/install-deps.sh
./scripts/build.sh build >/dev/null
bin=$PWD/build
cdcctl=$bin/apps/cdcctl/cdcctl

source scripts/lib/services.sh
export CDCCTL_CONFIG=$service_work/config.yaml

bold=; plain=
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\033[1m'; plain=$'\033[0m'; fi
