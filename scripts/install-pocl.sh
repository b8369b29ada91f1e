#!/usr/bin/env bash
# Makes OpenCL usable for cnnc's --target opencl and its tests on a machine without a GPU:
# PoCL's CPU device (pocl-opencl-icd) and the ICD loader under the unversioned name
# libOpenCL.so that JOCL opens (ocl-icd-opencl-dev). Debian/Ubuntu only (apt).
# Idempotent: does nothing when the PoCL ICD file and libOpenCL.so are already there.
# Exit status 1, with the reason, when it cannot install (not root and no sudo, or no apt).
set -euo pipefail

icd=/etc/OpenCL/vendors/pocl.icd
# The unversioned name is a -dev symlink, absent from ld.so.cache, so look for the file.
have_loader() { compgen -G '/usr/lib/libOpenCL.so' >/dev/null || compgen -G '/usr/lib/*/libOpenCL.so' >/dev/null \
  || compgen -G '/lib/*/libOpenCL.so' >/dev/null; }

if [ -e "$icd" ] && have_loader; then
  echo "install-pocl: PoCL and the OpenCL ICD loader are installed ($icd)"
  exit 0
fi

. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install install-pocl pocl-opencl-icd ocl-icd-opencl-dev || exit 1
[ -e "$icd" ] && have_loader || { echo "install-pocl: installed, but $icd or libOpenCL.so is still missing" >&2; exit 1; }
echo "install-pocl: done ($icd)"
