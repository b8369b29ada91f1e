#!/usr/bin/env bash
# Installs Debian's chromium for the test that opens `cnnc report`'s HTML in a real headless
# browser (ReportBrowserTest). Debian/Ubuntu only (apt). Idempotent: does nothing when a
# chromium is on the PATH. Exit status 1, with the reason, when it cannot install (not root and
# no sudo, or no apt); the test is then skipped and says why.
set -euo pipefail

if command -v chromium >/dev/null; then
  echo "install-chromium: chromium is installed ($(command -v chromium))"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-chromium: no apt-get here; install chromium yourself to run the report's browser test" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-chromium: needs root to run: apt-get install -y chromium" >&2
  exit 1
fi
echo "install-chromium: installing chromium (apt)"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null || { echo "install-chromium: installed, but chromium is still not on the PATH" >&2; exit 1; }
echo "install-chromium: done"
