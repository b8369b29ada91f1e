#!/usr/bin/env bash
# Times every conv strategy on bench's layer set (1 and 2 threads) and rewrites the cost model's
# efficiency table for this CPU's kind (CpuKind: compiler/src/main/resources/.../
# efficiency.properties for AVX-512 Xeons, efficiency-zen4.properties for Zen 4, efficiency-zen5.properties for Zen 5,
# efficiency-16-registers.properties for AVX2) and bench/reports/cost-model-calibration[-kind].md. Run on a quiet machine; rebuild afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" io.cnnc.bench.CalibrateCostModel \
  2> >(grep -v 'incubator' >&2)
