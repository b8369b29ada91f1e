#!/usr/bin/env bash
# Training images/s, % of FP32 peak and peak memory (RSS) of cnnc (compiled and reference
# engines) and PyTorch side by side on this machine, same recipes; writes
# bench/reports/training-throughput.md. Every figure, PyTorch's too, is the best of three runs:
# this machine's speed drifts by up to 2x between runs. Peak RSS is that of the best run's
# process (the JVM's includes its heap as grown, PyTorch's its libraries).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
# The JVM options the cnnc launcher runs `cnnc train` with (scripts/find-java.sh).
java=("$JAVA_HOME/bin/java" "${cnnc_jvm_options[@]}" --add-modules jdk.incubator.vector -cp "$cp" io.cnnc.bench.TrainingThroughput)
num() { grep -o '[0-9]* images/s' <<<"$1" | head -n1 | cut -d' ' -f1; }
rss() { grep -o 'peak RSS [0-9]*' <<<"$1" | head -n1 | awk '{ printf "%.0f", $3 / 1024 }'; }   # MiB
measured() {   # COMMAND...: its output, then its peak RSS line
  local mem out
  mem="$(mktemp)"
  out="$(/usr/bin/time -f 'peak RSS %M' -o "$mem" "$@" 2>/dev/null)"
  echo "$out"
  cat "$mem"
  rm -f "$mem"
}
best() {   # COMMAND...: the run with the most images/s, whole output
  local top="" out
  for _ in 1 2 3; do
    out="$(measured "$@")"
    if [ -z "$top" ] || [ "$(num "$out")" -gt "$(num "$top")" ]; then top="$out"; fi
  done
  echo "$top"
}
peakOf() { grep -o 'flop per image [0-9]*, peak [0-9]*' <<<"$1" | tr -d ',' | awk '{ print $4, $6 }'; }   # "FLOP/image GFLOP/s"
pct() {   # IMAGES_PER_S "FLOP/image GFLOP/s"
  awk -v i="$1" -v p="$2" 'BEGIN { split(p, a, " "); printf "%.0f%%", 100 * i * a[1] / (a[2] * 1e9) }'
}
lenet="$(best "${java[@]}" examples/lenet5.cnn 64 200 compiled)"
lenetRef="$(best "${java[@]}" examples/lenet5.cnn 64 200 reference)"
resnet="$(best "${java[@]}" examples/resnet20_cifar.cnn 128 20 compiled)"
resnetRef="$(best "${java[@]}" examples/resnet20_cifar.cnn 128 20 reference)"
mobile="$(best "${java[@]}" examples/mobilenetv2_cifar.cnn 128 5 compiled)"
torchLenet="$(best /usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)" LeNet-5)"
torchResnet="$(best /usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)" ResNet-20)"
torchMobile="$(best /usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)" MobileNetV2)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
{
  echo "# Training throughput, $(date -u +%Y-%m-%d), $(nproc) cores, $cpu"
  echo
  echo "% of peak: 6 x the forward's multiply-adds per image (forward, data and weight gradients) over this CPU's FP32 peak (CpuKind)."
  echo
  echo "| model | cnnc compiled images/s | % of peak | peak RSS MiB | cnnc reference images/s | PyTorch images/s | % of peak | peak RSS MiB | compiled / PyTorch |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  row() {   # NAME COMPILED REFERENCE TORCH
    local p ref="-"
    p="$(peakOf "$2")"
    if [ -n "$3" ]; then ref="$(num "$3")"; fi
    echo "| $1 | $(num "$2") | $(pct "$(num "$2")" "$p") | $(rss "$2") | $ref | $(num "$4") | $(pct "$(num "$4")" "$p") | $(rss "$4") | $(awk "BEGIN { printf \"%.2f\", $(num "$2") / $(num "$4") }") |"
  }
  row "LeNet-5, batch 64" "$lenet" "$lenetRef" "$torchLenet"
  row "ResNet-20, batch 128" "$resnet" "$resnetRef" "$torchResnet"
  row "MobileNetV2 (32x32), batch 128" "$mobile" "" "$torchMobile"
  echo
  echo "Raw output (per op type and step for the reference engine, which GraphTrainer interprets; the compiled engine runs generated code):"
  echo '```'
  echo "$lenet"; echo "$lenetRef"; echo "$resnet"; echo "$resnetRef"; echo "$mobile"; echo "$torchLenet"; echo "$torchResnet"; echo "$torchMobile"
  echo '```'
} > bench/reports/training-throughput.md
cat bench/reports/training-throughput.md
