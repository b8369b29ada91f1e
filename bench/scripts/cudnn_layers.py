"""PyTorch (cuDNN) forward times on a GPU for the comparison layer set and ResNet-18, batch 1,
to set beside cnnc's --target cuda/opencl times (docs/gpu.md). Usage: python3 cudnn_layers.py"""
import time
import torch

LAYERS = [
    ("3x3 64->64 @56", 64, 64, 56, 3, 1, 1, 1),
    ("3x3 256->256 @14", 256, 256, 14, 3, 1, 1, 1),
    ("3x3 128->128 @28", 128, 128, 28, 3, 1, 1, 1),
    ("3x3 s2 64->128 @56", 64, 128, 56, 3, 2, 1, 1),
    ("1x1 256->64 @56", 256, 64, 56, 1, 1, 0, 1),
    ("dw 3x3 144 @56", 144, 144, 56, 3, 1, 1, 144),
    ("7x7 s2 3->64 @224", 3, 64, 224, 7, 2, 3, 1),
]


def timed(f, x, runs=200):
    with torch.no_grad():
        for _ in range(50):
            f(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            f(x)
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    print("torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), torch.cuda.get_device_name(0))
    for name, cin, cout, hw, k, s, p, g in LAYERS:
        conv = torch.nn.Conv2d(cin, cout, k, s, p, groups=g, bias=True).to(dev).eval()
        x = torch.randn(1, cin, hw, hw, device=dev)
        print(f"{name:22s} {timed(conv, x):.4f} ms (median, includes launch and sync)")
    try:
        import torchvision
        net = torchvision.models.resnet18().to(dev).eval()
        x = torch.randn(1, 3, 224, 224, device=dev)
        print(f"{'ResNet-18':22s} {timed(net, x):.4f} ms")
    except ImportError:
        print("ResNet-18: torchvision not installed")


if __name__ == "__main__":
    main()
