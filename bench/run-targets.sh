#!/usr/bin/env bash
# cnnc's targets (compiled CPU code, OpenCL, CUDA where a device opens) on the comparison
# runner's layers and networks; writes bench/reports/cnnc-targets.md.
# Usage: bench/run-targets.sh [seconds per measurement]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/install-pocl.sh
. bench/classpath.sh
export POCL_CACHE_DIR="$root/bench/target/pocl-cache"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$cp" io.cnnc.bench.CompareTargets bench/reports "${1:-2}" 2> >(grep -v 'incubator' >&2)
