#!/usr/bin/env bash
# cnnc's compiled CPU code and ONNX Runtime timed side by side on this machine (layers and
# networks, 1 and 2 threads); writes bench/reports/cnnc-vs-onnxruntime.{md,png}.
# Usage: bench/run-compare.sh [threads,...] [seconds per measurement] [tune|model] [only cases containing this]
# (tune, the default: strategies measured per layer as `cnnc compile --tune` does, cached in
# bench/reports/tuning.properties; model: the cost model alone)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true \
  -cp "$cp" io.cnnc.bench.CompareWithOnnxRuntime bench/reports "${1:-1,2}" "${2:-1.5}" "${3:-tune}" ${4:+"$4"} 2> >(grep -v 'incubator' >&2)
