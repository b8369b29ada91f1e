#!/usr/bin/python3
"""Reference parameter counts for the examples, computed by PyTorch / torchvision.

Writes compiler/src/test/resources/expected/param_counts.csv (file,params,source) and prints
`file,params` for each example, then every learned tensor of every model (name, shape, numel).
Counts are sum(p.numel() for p in model.parameters()): learned tensors only, as `cnnc info`
counts them (batch norm: weight and bias; running_mean, running_var and num_batches_tracked are
buffers and are not counted). LeNet-5 and ResNet-20 are not in torchvision; equivalent torch.nn
modules are built here.

Run with Debian's interpreter (the `python3` on PATH has no torch):

    /usr/bin/python3 scripts/torchvision_counts.py            # counts, csv, per-tensor names
    /usr/bin/python3 scripts/torchvision_counts.py --counts   # counts and csv only
    /usr/bin/python3 scripts/torchvision_counts.py --check    # also compare, tensor by tensor,
                                                              # with `./cnnc info --json`

--check lists torchvision's learned tensors in module post-order (a module's own parameters
after its children's, so ConvNeXt's layer scale follows its block's convolutions as in the
.cnn) beside cnnc's learned tensors in source order, and fails on any difference in count or
number of elements. Shapes may differ only by a reshape with the same elements: ConvNeXt's
Linear [out, in] is a 1x1 conv [out, in, 1, 1]; its layer scale [C, 1, 1] is scale's [C].
"""
import csv
import json
import os
import subprocess
import sys

import torch.nn as nn
import torchvision
import torchvision.models as m

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def lenet5():
    """LeNet-5 exactly as examples/lenet5.cnn. By hand: conv1 6*1*5*5 + 6 = 156,
    conv2 16*6*5*5 + 16 = 2,416, dense 400*120 + 120 = 48,120, 120*84 + 84 = 10,164,
    84*10 + 10 = 850; total 61,706."""
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
    """He et al. 2016's CIFAR ResNet-20 with option-B (1x1 conv + bn) shortcuts on the two
    downsampling blocks, as examples/resnet20_cifar.cnn. By hand: stem 432 + 32; stage 1:
    6 convs 16*16*9 = 2,304 and 6 bn of 32; stage 2: 32*16*9 = 4,608, 5 convs 32*32*9 = 9,216,
    6 bn of 64, shortcut 16*32 = 512 + bn 64; stage 3: 64*32*9 = 18,432, 5 convs 64*64*9 =
    36,864, 6 bn of 128, shortcut 32*64 = 2,048 + bn 128; fc 64*10 + 10 = 650. Total 272,474
    (the paper's option A: 269,722; the shortcuts add 512 + 64 + 2,048 + 128 = 2,752)."""
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for c, stride in [(16, 1), (32, 2), (64, 2)]:
        for i in range(3):
            layers.append(Basic(cin, c, stride if i == 0 else 1))
            cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def mobilenetv2_cifar():
    """torchvision's mobilenet_v2 for 10 classes with the stem and the second bottleneck row at
    stride 1, as examples/mobilenetv2_cifar.cnn (same parameters as the 224x224 network but the
    classifier: 3,504,872 - 1,281,000 + 12,810 = 2,236,682)."""
    model = m.mobilenet_v2(weights=None, num_classes=10, inverted_residual_setting=[
        [1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]])
    model.features[0][0].stride = (1, 1)
    return model


TV = "torchvision " + torchvision.__version__
MODELS = [
    ("lenet5.cnn", lenet5,
     "torch.nn LeNet-5 as in the .cnn (lenet5() in scripts/torchvision_counts.py; by hand 156 + 2416 + 48120 + 10164 + 850)"),
    ("alexnet.cnn", lambda: m.alexnet(weights=None), TV + " alexnet(weights=None)"),
    ("vgg16.cnn", lambda: m.vgg16(weights=None), TV + " vgg16(weights=None)"),
    ("googlenet.cnn", lambda: m.googlenet(weights=None, aux_logits=False, init_weights=False),
     TV + " googlenet(weights=None, aux_logits=False, init_weights=False)"),
    ("resnet18.cnn", lambda: m.resnet18(weights=None), TV + " resnet18(weights=None)"),
    ("resnet50.cnn", lambda: m.resnet50(weights=None), TV + " resnet50(weights=None)"),
    ("densenet121.cnn", lambda: m.densenet121(weights=None), TV + " densenet121(weights=None)"),
    ("mobilenet_v2.cnn", lambda: m.mobilenet_v2(weights=None), TV + " mobilenet_v2(weights=None)"),
    ("efficientnet_b0.cnn", lambda: m.efficientnet_b0(weights=None), TV + " efficientnet_b0(weights=None)"),
    ("convnext_tiny.cnn", lambda: m.convnext_tiny(weights=None), TV + " convnext_tiny(weights=None)"),
    ("resnet20_cifar.cnn", resnet20_option_b,
     "torch.nn ResNet-20 with option-B shortcuts (resnet20_option_b() in scripts/torchvision_counts.py)"),
    ("mobilenetv2_cifar.cnn", mobilenetv2_cifar,
     TV + " mobilenet_v2 at 32x32 (mobilenetv2_cifar() in scripts/torchvision_counts.py)"),
]


def post_order(module, prefix=""):
    """Learned tensors as (name, tensor), a module's own parameters after its children's."""
    for name, child in module.named_children():
        yield from post_order(child, prefix + name + ".")
    for name, p in module.named_parameters(recurse=False):
        yield prefix + name, p


def check(file, model):
    """Compares torchvision's learned tensors with `cnnc info --json`, in order. Returns the
    number of differences (0 when every tensor has the same number of elements)."""
    info = json.loads(subprocess.check_output([os.path.join(ROOT, "cnnc"), "info", "--json",
                                               os.path.join(ROOT, "examples", file)]))
    ours = [t for layer in info["layers"] for t in layer["tensors"] if t["learned"]]
    theirs = list(post_order(model))
    bad = 0
    if len(ours) != len(theirs):
        print("  %s: %d learned tensors in cnnc, %d in torch" % (file, len(ours), len(theirs)))
        bad += 1
    for o, (name, t) in zip(ours, theirs):
        n = 1
        for d in o["shape"]:
            n *= d
        if n != t.numel():
            print("  %s: %s %s vs %s %s" % (file, o["name"], o["shape"], name, list(t.shape)))
            bad += 1
    print("%-22s cnnc %12d  torch %12d  %d learned tensors  %s"
          % (file, info["params"], sum(p.numel() for p in model.parameters()), len(theirs),
             "same" if bad == 0 and info["params"] == sum(p.numel() for p in model.parameters()) else "DIFFERENT"))
    return bad + (info["params"] != sum(p.numel() for p in model.parameters()))


def main(argv):
    names = "--counts" not in argv
    out = os.path.join(ROOT, "compiler", "src", "test", "resources", "expected", "param_counts.csv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    models = []
    # csv quotes a source only where it holds a comma (googlenet's arguments).
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "params", "source"])
        print("file,params")
        for file, build, source in MODELS:
            model = build()
            models.append((file, model))
            n = sum(p.numel() for p in model.parameters())
            w.writerow([file, n, source + ": sum of parameters().numel()"])
            print("%s,%d" % (file, n))
    if names:
        for file, model in models:
            print("\n# %s: learned tensors (torch name, shape, numel)" % file)
            for name, p in model.named_parameters():
                print("%s %s %d" % (name, list(p.shape), p.numel()))
    if "--check" in argv:
        print("\n# tensor-by-tensor comparison with ./cnnc info --json")
        bad = sum(check(file, model) for file, model in models)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
