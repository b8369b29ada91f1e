#!/usr/bin/env bash
# Training images/s, % of FP32 peak and peak memory (RSS) of cnnc (compiled and reference
# engines) and PyTorch side by side on this machine, same recipes; writes
# bench/reports/training-throughput.md. cnnc's compiled engine and PyTorch run in alternating
# rounds (ROUNDS, default 3: cnnc, PyTorch, cnnc, PyTorch, ...), so that a shared machine's
# drift, up to 2x between runs minutes apart, falls on both alike: each round gives a paired
# ratio, and the table's ratio is their median (lo to hi). Each side's images/s is its best
# round; peak RSS is that of the best round's process (the JVM's includes its heap as grown,
# PyTorch's its libraries).
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
rounds="${ROUNDS:-3}"
paired() {   # MODEL FILE BATCH STEPS: sets cnncOut, torchOut (best rounds) and ratios (one per round)
  local c t
  cnncOut=""; torchOut=""; ratios=""
  for _ in $(seq 1 "$rounds"); do
    c="$(measured "${java[@]}" "$2" "$3" "$4" compiled)"
    t="$(measured /usr/bin/python3 bench/scripts/pytorch_training_throughput.py "$(nproc)" "$1")"
    ratios="$ratios $(awk "BEGIN { printf \"%.2f\", $(num "$c") / $(num "$t") }")"
    if [ -z "$cnncOut" ] || [ "$(num "$c")" -gt "$(num "$cnncOut")" ]; then cnncOut="$c"; fi
    if [ -z "$torchOut" ] || [ "$(num "$t")" -gt "$(num "$torchOut")" ]; then torchOut="$t"; fi
  done
}
medianOf() {   # "R1 R2 ...": "median (lo to hi)"
  tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f (%s to %s)", m, a[1], a[NR] }'
}
paired LeNet-5 examples/lenet5.cnn 64 200
lenet="$cnncOut"; torchLenet="$torchOut"; lenetRatios="$ratios"
paired ResNet-20 examples/resnet20_cifar.cnn 128 20
resnet="$cnncOut"; torchResnet="$torchOut"; resnetRatios="$ratios"
paired MobileNetV2 examples/mobilenetv2_cifar.cnn 128 5
mobile="$cnncOut"; torchMobile="$torchOut"; mobileRatios="$ratios"
lenetRef="$(best "${java[@]}" examples/lenet5.cnn 64 200 reference)"
resnetRef="$(best "${java[@]}" examples/resnet20_cifar.cnn 128 20 reference)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
{
  echo "# Training throughput, $(date -u +%Y-%m-%d), $(nproc) cores, $cpu"
  echo
  echo "% of peak: 6 x the forward's multiply-adds per image (forward, data and weight gradients) over this CPU's FP32 peak (CpuKind)."
  echo
  echo "Images/s: each side's best of $rounds alternating rounds. compiled / PyTorch: the median of the rounds' paired ratios (lowest to highest)."
  echo
  echo "| model | cnnc compiled images/s | % of peak | peak RSS MiB | cnnc reference images/s | PyTorch images/s | % of peak | peak RSS MiB | compiled / PyTorch |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  row() {   # NAME COMPILED REFERENCE TORCH RATIOS
    local p ref="-"
    p="$(peakOf "$2")"
    if [ -n "$3" ]; then ref="$(num "$3")"; fi
    echo "| $1 | $(num "$2") | $(pct "$(num "$2")" "$p") | $(rss "$2") | $ref | $(num "$4") | $(pct "$(num "$4")" "$p") | $(rss "$4") | $(medianOf "$5") |"
  }
  row "LeNet-5, batch 64" "$lenet" "$lenetRef" "$torchLenet" "$lenetRatios"
  row "ResNet-20, batch 128" "$resnet" "$resnetRef" "$torchResnet" "$resnetRatios"
  row "MobileNetV2 (32x32), batch 128" "$mobile" "" "$torchMobile" "$mobileRatios"
  echo
  echo "Raw output (per op type and step for the reference engine, which GraphTrainer interprets; the compiled engine runs generated code):"
  echo '```'
  echo "$lenet"; echo "$lenetRef"; echo "$resnet"; echo "$resnetRef"; echo "$mobile"; echo "$torchLenet"; echo "$torchResnet"; echo "$torchMobile"
  echo '```'
} > bench/reports/training-throughput.md
cat bench/reports/training-throughput.md
