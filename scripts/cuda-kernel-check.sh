#!/usr/bin/env bash
# Runs cnnc's GPU kernels, in their CUDA spelling, on an NVIDIA GPU against double-precision
# references, without Java or Maven: for machines with a GPU and nvcc but no JDK. Each check is
# the CUDA prelude, the kernel library and a harness from kernels/src/test/cuda, compiled with
# nvcc and run; exit status 1 if any kernel differs from its reference.
# Usage: scripts/cuda-kernel-check.sh   (CNNC_NVCC, CNNC_CUDA_ARCH=sm_90 to override)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gpu="$root/kernels/src/main/resources/io/cnnc/kernels/gpu"
# The order of GpuSource.FILES (CudaSourceTest checks that the two lists agree).
files=(common.h conv_direct.cl conv_gemm.cl gemm.cl winograd.cl conv_depthwise.cl pool.cl dense.cl elementwise.cl norm.cl backward.cl)
nvcc="${CNNC_NVCC:-nvcc}"
command -v "$nvcc" >/dev/null || { echo "cuda-kernel-check: no nvcc (set CNNC_NVCC)" >&2; exit 1; }
# A kernel file's line "/* @generated: NAME ... */" becomes generated/NAME.h, the text GpuSource writes there
# from GpuActivation (CudaSourceTest checks that the copies are current).
generated="$root/kernels/src/test/cuda/generated"
fill() { awk -v dir="$generated" '/^\/\* @generated: [a-z_]+ / { f = dir "/" $3 ".h"; if ((getline l < f) <= 0) { print "missing " f > "/dev/stderr"; exit 1 } print l; while ((getline l < f) > 0) print l; close(f); next } { print }' "$1"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for check in conv_check layers_check; do
  { cat "$gpu/prelude_cuda.h"; for f in "${files[@]}"; do fill "$gpu/$f"; echo; done; cat "$root/kernels/src/test/cuda/harness.h" "$root/kernels/src/test/cuda/$check.cu"; } > "$work/$check.cu"
  "$nvcc" -O2 -arch="${CNNC_CUDA_ARCH:-sm_90}" -o "$work/$check" "$work/$check.cu"
  echo "== $check"
  "$work/$check" || status=1
done
exit $status
