# Sourced by the launcher and scripts: sets JAVA_HOME to a JDK 25, or explains what to install.
cnnc_find_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    if "$candidate/bin/java" -version 2>&1 | head -n1 | grep -Eq 'version "25([."]|$)'; then
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
