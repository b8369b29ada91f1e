#!/usr/bin/python3
"""Developer check (not run in CI): every torchvision CNN through ONNX into cnnc.

For each model and opset: random weights (seed 0) and random batch-norm statistics, eval mode,
exported by torch.onnx.export with its defaults (segmentation models with their aux head, so
both outputs are kept); `./cnnc import`, then `./cnnc run` with one --output per output,
against PyTorch's outputs on the same random input; then `./cnnc export` of the imported model
run in ONNX Runtime (bench's RunWithOnnxRuntime), against the same outputs. Prints one markdown
row per model: per opset, max |cnnc - PyTorch| over the largest |output|, and the same for the
export in ONNX Runtime, or why a step failed. The
transformers (ViT, Swin, MaxViT) are not CNNs and are left out; so are models whose ONNX file
would pass protobuf's 2 GB (regnet_y_128gf).

    /usr/bin/python3 scripts/torchvision_onnx_table.py [--opsets 13,17] [--size 224] [model ...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision.models as tvm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CNNC = os.path.join(ROOT, "cnnc")
NOT_CNN = ("vit_", "swin_", "maxvit_")
TOO_LARGE = {"regnet_y_128gf"}
TOLERANCE = 1e-4


def models():
    classification = [n for n in sorted(tvm.list_models(module=tvm)) if not n.startswith(NOT_CNN) and n not in TOO_LARGE]
    segmentation = sorted(tvm.list_models(module=tvm.segmentation))
    return [(n, False) for n in classification] + [(n, True) for n in segmentation]


def build(name, segmentation):
    torch.manual_seed(0)
    if segmentation:
        model = tvm.get_model(name, weights=None, weights_backbone=None, aux_loss=not name.startswith("lraspp"))
    elif name in ("googlenet", "inception_v3"):
        model = tvm.get_model(name, weights=None, aux_logits=False, init_weights=False)
    else:
        model = tvm.get_model(name, weights=None)
    model.eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model


def outputs_of(result):
    if isinstance(result, dict):
        return list(result.keys()), [v.numpy() for v in result.values()]
    return ["y"], [result.numpy()]


def bench_runner():
    """The java command that runs an ONNX file in ONNX Runtime, from bench's class path (built once)."""
    script = 'root="$1"; . "$root/bench/classpath.sh" >&2; echo "$JAVA_HOME/bin/java"; echo "$cp"'
    r = subprocess.run(["bash", "-c", script, "_", ROOT], capture_output=True, text=True, check=True)
    java, cp = r.stdout.strip().splitlines()[-2:]
    return [java, "-cp", cp, "io.cnnc.bench.RunWithOnnxRuntime"]


def worst_error(paths, want):
    worst = 0.0
    for o, w in zip(paths, want):
        got = np.load(o).reshape(w.shape)
        worst = max(worst, float(np.abs(got - w).max() / max(np.abs(w).max(), 1e-30)))
    return worst


def cell(worst):
    return "%.1e" % worst + ("" if worst <= TOLERANCE else " (over 1e-4)")


def first_error_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("WARNING")]
    for i, l in enumerate(lines):
        if l.startswith("error:"):
            return "; ".join(lines[i:i + 3])[:300]
    return (lines[-1] if lines else "failed")[:300]


def check(name, segmentation, opset, size, workdir, ort):
    model = build(name, segmentation)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        names, want = outputs_of(model(x))
    onnx_path = os.path.join(workdir, "%s_%d.onnx" % (name, opset))
    try:
        torch.onnx.export(model, x, onnx_path, opset_version=opset, output_names=names)
    except Exception as e:  # an exporter limit, not cnnc's
        return "PyTorch cannot export it: %s" % str(e).splitlines()[0][:200]
    cnn = os.path.join(workdir, "%s_%d.cnn" % (name, opset))
    r = subprocess.run([CNNC, "import", onnx_path, "-o", cnn], capture_output=True, text=True)
    if r.returncode != 0:
        return "does not import: " + first_error_line(r.stderr)
    xs = os.path.join(workdir, "x.npy")
    np.save(xs, x.numpy())
    outs = [os.path.join(workdir, "out%d.npy" % i) for i in range(len(want))]
    cmd = [CNNC, "run", cnn, "--weights", cnn[:-4] + ".safetensors", "--input", xs]
    for o in outs:
        cmd += ["--output", o]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return "imports, does not run: " + first_error_line(r.stderr)
    imported = cell(worst_error(outs, want))
    back = os.path.join(workdir, "back.onnx")
    r = subprocess.run([CNNC, "export", cnn, "--weights", cnn[:-4] + ".safetensors", "-o", back], capture_output=True, text=True)
    if r.returncode != 0:
        return imported + "; export fails: " + first_error_line(r.stderr)
    r = subprocess.run(ort + [back, xs] + outs, capture_output=True, text=True)
    if r.returncode != 0:
        return imported + "; its export fails in ONNX Runtime: " + first_error_line(r.stderr)
    return imported + "; export in ONNX Runtime " + cell(worst_error(outs, want))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--opsets", default="13,17")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("models", nargs="*")
    a = p.parse_args()
    opsets = [int(o) for o in a.opsets.split(",")]
    chosen = [(n, s) for n, s in models() if not a.models or n in a.models]
    ort = bench_runner()
    print("| model | outputs | " + " | ".join("opset %d: max err / max out (imported; exported, in ONNX Runtime)" % o for o in opsets) + " |")
    print("|---|---|" + "---|" * len(opsets))
    with tempfile.TemporaryDirectory() as d:
        for name, segmentation in chosen:
            start = time.time()
            cells = [check(name, segmentation, o, a.size, d, ort) for o in opsets]
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
            print("| %s | %s | %s |" % (name, "out, aux" if segmentation and not name.startswith("lraspp") else "1",
                                        " | ".join(cells)), flush=True)
            print("%s: %.0f s" % (name, time.time() - start), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
