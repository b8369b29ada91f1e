#!/usr/bin/env bash
# Times every conv strategy on bench's layer set (1 thread) and rewrites the cost model's
# efficiency table (compiler/src/main/resources/.../efficiency.properties) and
# bench/reports/cost-model-calibration.md. Run on a quiet machine; rebuild afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" io.cnnc.bench.CalibrateCostModel \
  compiler/src/main/resources/io/cnnc/compiler/schedule/efficiency.properties bench/reports/cost-model-calibration.md \
  2> >(grep -v 'incubator' >&2)
