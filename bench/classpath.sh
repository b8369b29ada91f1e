# Sourced by the bench scripts (with $root set to the checkout): finds JDK 25, builds bench and
# the modules it uses from this checkout in one reactor build (nothing installed into ~/.m2),
# and sets $cp to bench's class path.
. "$root/scripts/find-java.sh"
cnnc_find_java
export JAVA_HOME
echo "building bench (mvn package -pl bench -am)..." >&2
log="$(mktemp)"
if ! (cd "$root" && mvn -q -B package dependency:build-classpath -pl bench -am -DskipTests \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=runtime >"$log" 2>&1); then
  grep -v '^WARNING' "$log" >&2 || true
  echo "bench: build failed (log above)" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
cp="$root/bench/target/classes:$(cat "$root/bench/target/bench-classpath.txt")"
