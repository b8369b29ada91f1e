#!/usr/bin/env bash
# Runs the OpenCL tests ROUNDS times in one JVM, then once in each of JVMS fresh JVMs, on PoCL
# with its kernel cache off (every build and launch goes through LLVM, as on a clean checkout).
# Core dumps are on; a crash stops the script and names the core file.
# Usage: scripts/opencl-soak.sh [ROUNDS=50] [JVMS=20]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/find-java.sh"
cnnc_find_java
rounds="${1:-50}"
jvms="${2:-20}"
cd "$root"
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
mvn -B -ntp -q install -DskipTests
# cnnc's own modules come from this checkout's target folders, not from ~/.m2, where another
# checkout's build may replace the jars while the soak runs.
mvn -B -ntp -q -pl runtime test-compile dependency:build-classpath -Dmdep.includeScope=test -DexcludeGroupIds=io.cnnc \
  -Dmdep.outputFile=target/soak.classpath
cp="$root/runtime/target/test-classes:$root/runtime/target/classes"
for m in dsl compiler kernels; do cp="$cp:$root/$m/target/classes"; done
cp="$cp:$(cat runtime/target/soak.classpath)"
ulimit -c unlimited || true
export POCL_KERNEL_CACHE=0
run() {
  status=0
  (cd runtime && "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    --sun-misc-unsafe-memory-access=allow -Xss8m -XX:+CreateCoredumpOnCrash -Djava.awt.headless=true \
    -cp "$cp" io.cnnc.runtime.gpu.OpenClSoak "$1" 2>target/soak.stderr) || status=$?
  if [ "$status" -ne 0 ]; then
    echo "opencl-soak: the JVM exited with $status (stderr: runtime/target/soak.stderr; a core file, if any, in runtime/)" >&2
    exit 1
  fi
}
if [ "$rounds" -gt 0 ]; then
  echo "opencl-soak: $rounds rounds in one JVM"
  run "$rounds"
fi
for i in $(seq 1 "$jvms"); do
  echo "opencl-soak: fresh JVM $i of $jvms"
  run 1
done
echo "opencl-soak: no crash and no failure in $rounds rounds in one JVM and $jvms fresh JVMs"
