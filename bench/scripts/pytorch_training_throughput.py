#!/usr/bin/python3
"""PyTorch's training throughput (images/s) on this machine for the recipes cnnc trains:
LeNet-5 on 28x28x1 (batch 64) and ResNet-20 (option-B shortcuts) on 32x32x3 (batch 128),
SGD with momentum, cross-entropy, synthetic data (throughput does not depend on the values).
Run with /usr/bin/python3; prints one line per model."""
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/scripts")
from torchvision_counts import lenet5, resnet20_option_b  # noqa: E402

torch.manual_seed(0)
threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
torch.set_num_threads(threads)
for name, build, shape, batch, steps in [("LeNet-5", lenet5, (1, 28, 28), 64, 200), ("ResNet-20", resnet20_option_b, (3, 32, 32), 128, 20)]:
    model = build().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    for i in range(steps + 5):
        if i == 5:
            start = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    seconds = time.perf_counter() - start
    print("%s: %.0f images/s (torch %s, %d threads, batch %d)" % (name, steps * batch / seconds, torch.__version__, threads, batch))
