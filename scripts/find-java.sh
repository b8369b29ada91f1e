# Sourced by the launcher and scripts: sets JAVA_HOME to a JDK 25, or explains what to install.
cnnc_find_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    # "Picked up JAVA_TOOL_OPTIONS: ..." comes first when that variable is set (-XX:UseAVX=2, say).
    if "$candidate/bin/java" -version 2>&1 | grep -v '^Picked up ' | head -n1 | grep -Eq 'version "25([."]|$)'; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  cat >&2 <<'MSG'
cnnc needs a JDK 25 (it uses the Java Vector API), and none was found:
  checked $JAVA_HOME and /usr/lib/jvm/*25*.
Install one, e.g. on Debian/Ubuntu:  apt-get install temurin-25-jdk   (Adoptium repository)
or download Temurin 25 and set JAVA_HOME to it.
MSG
  return 1
}

# JVM options for cnnc's own processes (the launcher, the training benchmark): the serial
# collector, whose heap grows only with what is live, and a 64 MiB young generation. cnnc
# allocates little once its kernels are compiled, but their warm-up garbage made G1 grow
# ResNet-20's training process to 1.3-1.9 GB for 0.4 GB of live data, and G1's concurrent
# threads took time from the two kernel workers (docs/training.md, "Memory").
cnnc_jvm_options=(-XX:+UseSerialGC -Xmn64m)
