#!/usr/bin/env bash
# cnnc's compiled CPU code and ONNX Runtime timed side by side on this machine (layers and
# networks, 1 and 2 threads); writes bench/reports/cnnc-vs-onnxruntime.{md,png}.
# Usage: bench/run-compare.sh [threads,...] [seconds per measurement] [tune|model] [only cases containing this]
# (tune, the default: strategies measured per layer as `cnnc compile --tune` does, cached in
# bench/reports/tuning.properties; model: the cost model alone)
# Every case and thread count runs in a JVM of its own, as JMH forks: in one long-lived JVM the
# cases run before (their JIT state, threads and garbage) skewed the later ones. With a filter,
# the matching cases run in one JVM, for a quick look.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true)
threads="${1:-1,2}" seconds="${2:-1.5}" mode="${3:-tune}"
if [ -n "${4:-}" ]; then
  exec "${java[@]}" -cp "$cp" io.cnnc.bench.CompareWithOnnxRuntime bench/reports "$threads" "$seconds" "$mode" "$4" \
    2> >(grep -v 'incubator' >&2)
fi
rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
"${java[@]}" -cp "$cp" io.cnnc.bench.CompareWithOnnxRuntime --list 2>/dev/null | while IFS= read -r name; do
  for t in ${threads//,/ }; do
    "${java[@]}" -Dcnnc.compare.rows="$rows" -cp "$cp" io.cnnc.bench.CompareWithOnnxRuntime bench/reports "$t" "$seconds" "$mode" "=$name" </dev/null \
      2> >(grep -v 'incubator' >&2) | grep -v '^wrote '
  done
done
echo "wrote bench/reports/cnnc-vs-onnxruntime.md and .png"
