#!/usr/bin/python3
"""Developer check: an example model against torchvision with the same random weights.

Builds the torchvision model (random weights, random batch-norm statistics, eval mode), maps
its tensors onto cnnc's parameter names by order (modules in post-order, so a module's own
parameters, like ConvNeXt's layer scale, follow its children's, as in the .cnn), writes them
as safetensors, runs `./cnnc run` on a random input and compares the outputs.

    /usr/bin/python3 scripts/compare_torchvision.py resnet18 examples/resnet18.cnn
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision.models as m

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "src", "test", "fixtures"))
from fixturelib import write_safetensors  # noqa: E402

BUILDERS = {
    "alexnet": m.alexnet, "vgg16": m.vgg16, "resnet18": m.resnet18, "resnet50": m.resnet50,
    "googlenet": lambda: m.googlenet(aux_logits=False, init_weights=False), "densenet121": m.densenet121,
    "mobilenet_v2": m.mobilenet_v2, "efficientnet_b0": m.efficientnet_b0, "convnext_tiny": m.convnext_tiny,
}


def post_order(module):
    for child in module.children():
        yield from post_order(child)
    for name, p in module.named_parameters(recurse=False):
        yield p
    for name, b in module.named_buffers(recurse=False):
        if name != "num_batches_tracked":
            yield b


def main(arch, cnn, size=224, batch=2):
    torch.manual_seed(0)
    model = BUILDERS[arch]().eval()
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.2, 0.2)
    info = json.loads(subprocess.check_output(["./cnnc", "info", "--json", cnn]))
    ours = [t for layer in info["layers"] for t in layer["tensors"]]
    theirs = list(post_order(model))
    assert len(ours) == len(theirs), "tensor counts differ: %d vs %d" % (len(ours), len(theirs))
    tensors = {}
    for o, t in zip(ours, theirs):
        assert t.numel() == int(np.prod(o["shape"])), "%s: %s vs %s" % (o["name"], o["shape"], list(t.shape))
        tensors[o["name"]] = t.detach().reshape(o["shape"])
    with tempfile.TemporaryDirectory() as d:
        w, x, y = (os.path.join(d, n) for n in ("w.safetensors", "x.npy", "y.npy"))
        write_safetensors(w, tensors)
        inp = torch.randn(batch, 3, size, size)
        np.save(x, inp.numpy())
        subprocess.check_call(["./cnnc", "run", cnn, "--input", x, "--weights", w, "--output", y], stdout=subprocess.DEVNULL)
        with torch.no_grad():
            ref = model(inp).numpy()
            ref64 = model.double()(inp.double()).numpy()
        got = np.load(y).reshape(ref.shape)
        diff = np.abs(got - ref).max()
        print("%s: %d tensors, max |cnnc - torchvision| = %.3g (max |output| %.3g), top-1 agree: %s; "
              "against torchvision in float64: cnnc %.3g, torchvision float32 %.3g"
              % (arch, len(ours), diff, np.abs(ref).max(), bool((got.argmax(1) == ref.argmax(1)).all()),
                 np.abs(got - ref64).max(), np.abs(ref - ref64).max()))
        return diff


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2]) < 1e-3 else 1)
