# Sourced by the install scripts: apt_install NAME PACKAGE... installs Debian packages as root
# (directly, or through sudo without a password), or says why it cannot and returns 1.
apt_install() {
  local name="$1"
  shift
  if ! command -v apt-get >/dev/null; then
    echo "$name: no apt-get here; install ${*} (or an equivalent) yourself" >&2
    return 1
  fi
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      echo "$name: needs root to run: apt-get install -y ${*}" >&2
      return 1
    fi
  fi
  echo "$name: installing ${*} (apt)"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$@" >/dev/null
}
