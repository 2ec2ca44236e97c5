"""PyTorch's side of `swift run -c release bench`: the same workloads, the same JSON keys, timed the same way
(the median of repeats after a warm-up), on 2 threads as Tapegrad uses here. Prints one JSON line.

Usage: python scripts/bench/torch_workloads.py [workload ...]   (`make bench-compare` runs it beside Tapegrad)
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torchvision

torch.set_num_threads(2)


def median(body, repeats=5, warm_up=1):
    for _ in range(warm_up):
        body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sgd_step(model, optimizer, x, labels):
    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), labels).backward()
        optimizer.step()
    return step


def sgemm():
    a, b = torch.rand(2048, 2048), torch.rand(2048, 2048)
    return {"sgemm_2048_gflops": 2 * 2048 ** 3 / median(lambda: torch.mm(a, b)) / 1e9}


def vgg_infer():
    model = torchvision.models.vgg16().eval()
    result = {}
    for batch in (1, 8):
        x = torch.rand(batch, 3, 224, 224)
        with torch.no_grad():
            result[f"vgg16_infer_b{batch}_ms_per_img"] = median(lambda: model(x), repeats=3) / batch * 1e3
    return result


def vgg16_with_new_head():
    model = torchvision.models.vgg16()
    model.classifier[6] = nn.Linear(4096, 10)
    return model


def vgg_head():
    model = vgg16_with_new_head()
    for p in model.features.parameters():
        p.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    step = sgd_step(model, torch.optim.SGD(trainable, lr=1e-3, momentum=0.9), torch.rand(8, 3, 224, 224),
                    torch.arange(8) % 10)
    return {"vgg16_frozen_step_b8_ms": median(step, repeats=3) * 1e3}


def vgg_full():
    model = vgg16_with_new_head()
    step = sgd_step(model, torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9), torch.rand(4, 3, 224, 224),
                    torch.arange(4) % 10)
    return {"vgg16_full_step_b4_ms": median(step, repeats=3) * 1e3, "peak_rss_mb": peak_rss_mb()}


def mnist_cnn():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, 10))
    step = sgd_step(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), torch.rand(64, 1, 28, 28),
                    torch.arange(64) % 10)
    return {"mnistcnn_step_b64_ms": median(step, repeats=10) * 1e3}


def mlp():
    w1 = (torch.rand(784, 128) * 0.072 - 0.036).requires_grad_()
    b1 = torch.zeros(128, requires_grad=True)
    w2 = (torch.rand(128, 10) * 0.176 - 0.088).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    x, labels = torch.rand(32, 784), torch.randint(0, 10, (32,))

    def step():
        for p in (w1, b1, w2, b2):
            p.grad = None
        logits = torch.relu(x @ w1 + b1) @ w2 + b2
        nn.functional.cross_entropy(logits, labels).backward()
        with torch.no_grad():
            for p in (w1, b1, w2, b2):
                p -= 0.01 * p.grad
    return {"mlp_step_b32_us": median(step, repeats=200, warm_up=20) * 1e6}


def tiny_ops():
    n = 10_000

    def chain():
        x = torch.ones(1, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        y.sum().backward()
    return {"tiny_op_us": median(chain, repeats=3) / (2 * n) * 1e6}


def lite0():
    from efficientnet_lite_pytorch import EfficientNet
    torch.manual_seed(0)
    model = EfficientNet.from_name("efficientnet-lite0").eval()
    x = torch.rand(8, 3, 224, 224)
    with torch.no_grad():
        inference = median(lambda: model(x))
    model.train()
    step = sgd_step(model, torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9), torch.rand(16, 3, 224, 224),
                    torch.arange(16) * 61 % 1000)
    return {"lite0_infer_b8_ms_per_img": inference / 8 * 1e3, "lite0_full_step_b16_ms": median(step, repeats=3) * 1e3,
            "lite0_peak_rss_mb": peak_rss_mb()}


WORKLOADS = {f.__name__: f for f in (sgemm, vgg_infer, vgg_head, vgg_full, mnist_cnn, mlp, tiny_ops, lite0)}

if __name__ == "__main__":
    names = sys.argv[1:] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        sys.exit(f"unknown workload {unknown[0]}; known: {', '.join(WORKLOADS)}")
    result = {}
    for name in names:
        result.update(WORKLOADS[name]())
    print(json.dumps({key: round(value, 3) for key, value in result.items()}))
