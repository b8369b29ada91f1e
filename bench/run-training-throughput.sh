#!/usr/bin/env bash
# Training images/s of cnnc (compiled and reference engines) and PyTorch side by side on this
# machine, same recipes; writes bench/reports/training-throughput.md. Every figure, PyTorch's
# too, is the best of three runs: this machine's speed drifts by up to 2x between runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bench/classpath.sh
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" io.cnnc.bench.TrainingThroughput)
num() { grep -o '[0-9]* images/s' <<<"$1" | head -n1 | cut -d' ' -f1; }
best() {   # FILE BATCH STEPS ENGINE: the run with the most images/s, whole output
  local top="" out
  for _ in 1 2 3; do
    out="$("${java[@]}" "$@" 2>/dev/null)"
    if [ -z "$top" ] || [ "$(num "$out")" -gt "$(num "$top")" ]; then top="$out"; fi
  done
  echo "$top"
}
lenet="$(best examples/lenet5.cnn 64 200 compiled)"
lenetRef="$(best examples/lenet5.cnn 64 200 reference)"
resnet="$(best examples/resnet20_cifar.cnn 128 20 compiled)"
resnetRef="$(best examples/resnet20_cifar.cnn 128 20 reference)"
torchRuns="$(for _ in 1 2 3; do /usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)"; done)"
bestLine() { grep "$1" <<<"$torchRuns" | sort -t: -k2 -n -r | head -n1; }   # "Name: N images/s ...", most images/s
torch="$(bestLine LeNet)"$'\n'"$(bestLine ResNet)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
{
  echo "# Training throughput, $(date -u +%Y-%m-%d), $(nproc) cores, $cpu"
  echo
  echo "| model | cnnc compiled images/s | cnnc reference images/s | PyTorch images/s | compiled / PyTorch |"
  echo "|---|---:|---:|---:|---:|"
  row() { echo "| $1 | $(num "$2") | $(num "$3") | $(num "$4") | $(awk "BEGIN { printf \"%.2f\", $(num "$2") / $(num "$4") }") |"; }
  row "LeNet-5, batch 64" "$lenet" "$lenetRef" "$(grep LeNet <<<"$torch")"
  row "ResNet-20, batch 128" "$resnet" "$resnetRef" "$(grep ResNet <<<"$torch")"
  echo
  echo "Raw output (the compiled engine's time per op type is per step, after warm-up):"
  echo '```'
  echo "$lenet"; echo "$lenetRef"; echo "$resnet"; echo "$resnetRef"; echo "$torch"
  echo '```'
} > bench/reports/training-throughput.md
cat bench/reports/training-throughput.md
