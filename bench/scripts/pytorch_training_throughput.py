#!/usr/bin/python3
"""PyTorch's training throughput (images/s) on this machine for the recipes cnnc trains:
LeNet-5 on 28x28x1 (batch 64), ResNet-20 (option-B shortcuts) and a MobileNetV2 for 32x32x3
(batch 128), SGD with momentum, cross-entropy, synthetic data (throughput does not depend on
the values). Run with /usr/bin/python3 THREADS [MODEL]; prints one line per model (only MODEL's
when given, so that a process's peak memory is one model's)."""
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/scripts")
from torchvision_counts import lenet5, mobilenetv2_cifar, resnet20_option_b  # noqa: E402

torch.manual_seed(0)
threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
torch.set_num_threads(threads)
# name, builder, input, batch, timed steps, warm-up steps (MobileNetV2's steps take seconds)
MODELS = [("LeNet-5", lenet5, (1, 28, 28), 64, 200, 5), ("ResNet-20", resnet20_option_b, (3, 32, 32), 128, 20, 5),
          ("MobileNetV2", mobilenetv2_cifar, (3, 32, 32), 128, 5, 2)]
for name, build, shape, batch, steps, warmup in MODELS:
    if len(sys.argv) > 2 and sys.argv[2] != name:
        continue
    model = build().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    for i in range(steps + warmup):
        if i == warmup:
            start = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    seconds = time.perf_counter() - start
    print("%s: %.0f images/s (torch %s, %d threads, batch %d)" % (name, steps * batch / seconds, torch.__version__, threads, batch))
