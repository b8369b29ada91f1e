#!/usr/bin/env bash
# Builds the bench module (no install) and runs its JMH benchmarks.
# Usage: bench/run-jmh.sh [BENCHMARK_REGEX] [JMH options...]
#   BENCHMARK_REGEX defaults to ConvStrategyBenchmark; any argument starting with '-' goes to JMH:
#   bench/run-jmh.sh -p layer=3x3-64-64@56 -p threads=1 -f 1 -wi 1 -i 1 -w 1s -r 1s
#   bench/run-jmh.sh KernelBenchmark -p op=dense
#   bench/run-jmh.sh -l     (list the benchmarks),  bench/run-jmh.sh -h  (JMH's options)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh

benchmarks=ConvStrategyBenchmark
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  benchmarks="$1"
  shift
fi

# The forked benchmark JVMs get --add-modules from each benchmark's @Fork(jvmArgsAppend).
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --sun-misc-unsafe-memory-access=allow -cp "$cp" org.openjdk.jmh.Main "$benchmarks" "$@" \
  2> >(grep -v 'incubator' >&2)
