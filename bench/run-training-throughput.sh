#!/usr/bin/env bash
# Training images/s of cnnc and PyTorch side by side on this machine, same recipes; writes
# bench/reports/training-throughput.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" io.cnnc.bench.TrainingThroughput)
lenet="$("${java[@]}" examples/lenet5.cnn 64 200 2>/dev/null)"
resnet="$("${java[@]}" examples/resnet20_cifar.cnn 128 10 2>/dev/null)"
torch="$(/usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)")"
num() { grep -o '[0-9]* images/s' <<<"$1" | head -n1 | cut -d' ' -f1; }
{
  echo "# Training throughput, $(date -u +%Y-%m-%d), $(nproc) cores"
  echo
  echo "| model | cnnc images/s | PyTorch images/s | cnnc / PyTorch |"
  echo "|---|---:|---:|---:|"
  for m in LeNet ResNet; do
    c="$(num "$(grep "$m" <<<"$lenet"$'\n'"$resnet")")"
    t="$(num "$(grep "$m" <<<"$torch")")"
    echo "| $m | $c | $t | $(awk "BEGIN { printf \"%.2f\", $c / $t }") |"
  done
  echo
  echo "Raw output:"
  echo '```'
  echo "$lenet"; echo "$resnet"; echo "$torch"
  echo '```'
} > bench/reports/training-throughput.md
cat bench/reports/training-throughput.md
