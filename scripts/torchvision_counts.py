#!/usr/bin/python3
"""Reference parameter counts for the examples, computed by PyTorch / torchvision.

Writes compiler/src/test/resources/expected/param_counts.csv (file,params,source). Counts are
sum(p.numel() for p in model.parameters()): learned tensors only, as `cnnc info` counts them.
LeNet-5 and ResNet-20 are not in torchvision; equivalent torch.nn modules are built here.
Run with Debian's interpreter: /usr/bin/python3 scripts/torchvision_counts.py
"""
import os

import torch.nn as nn
import torchvision
import torchvision.models as m


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


class Basic(nn.Module):
    def __init__(self, cin, c, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, c, 3, stride, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                                  nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.shortcut = (nn.Sequential(nn.Conv2d(cin, c, 1, stride, bias=False), nn.BatchNorm2d(c))
                         if stride != 1 or cin != c else nn.Identity())

    def forward(self, x):
        return (self.body(x) + self.shortcut(x)).relu()


def resnet20_option_b():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for c, stride in [(16, 1), (32, 2), (64, 2)]:
        for i in range(3):
            layers.append(Basic(cin, c, stride if i == 0 else 1))
            cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


TV = "torchvision " + torchvision.__version__
MODELS = [
    ("lenet5.cnn", lenet5, "torch.nn LeNet-5 as in the .cnn (built in scripts/torchvision_counts.py)"),
    ("alexnet.cnn", m.alexnet, TV + " alexnet()"),
    ("vgg16.cnn", m.vgg16, TV + " vgg16()"),
    ("googlenet.cnn", lambda: m.googlenet(aux_logits=False, init_weights=False), TV + " googlenet(aux_logits=False)"),
    ("resnet18.cnn", m.resnet18, TV + " resnet18()"),
    ("resnet50.cnn", m.resnet50, TV + " resnet50()"),
    ("densenet121.cnn", m.densenet121, TV + " densenet121()"),
    ("mobilenet_v2.cnn", m.mobilenet_v2, TV + " mobilenet_v2()"),
    ("efficientnet_b0.cnn", m.efficientnet_b0, TV + " efficientnet_b0()"),
    ("convnext_tiny.cnn", m.convnext_tiny, TV + " convnext_tiny()"),
    ("resnet20_cifar.cnn", resnet20_option_b, "torch.nn ResNet-20 with option-B shortcuts (built in scripts/torchvision_counts.py)"),
]

def main():
    out = os.path.join(os.path.dirname(__file__), "..", "compiler", "src", "test", "resources", "expected", "param_counts.csv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("file,params,source\n")
        for file, build, source in MODELS:
            n = sum(p.numel() for p in build().parameters())
            f.write("%s,%d,%s: sum of parameters().numel()\n" % (file, n, source))
            print("%-22s %12d" % (file, n))


if __name__ == "__main__":
    main()
