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
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install install-chromium chromium || exit 1
command -v chromium >/dev/null || { echo "install-chromium: installed, but chromium is still not on the PATH" >&2; exit 1; }
echo "install-chromium: done"
