"""`make bench-compare`: Tapegrad's bench and PyTorch's (torch_workloads.py) on the same workloads, in one
sitting, interleaved (Tapegrad, PyTorch, Tapegrad, PyTorch, ...), each workload in fresh processes so one's
memory does not count for the next. Prints each round's numbers and the ratio Tapegrad / PyTorch: for times
below 1 means Tapegrad is faster; for GFLOP/s above 1 does. Absolute times drift between sittings on shared
machines; ratios from one sitting are what to compare.

Usage: python scripts/bench/compare.py BENCH_BINARY [--rounds N] [workload ...]
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
# Workloads both sides run (conv_layers is Tapegrad's own look at its convolution algorithms).
SHARED = ["sgemm", "vgg_infer", "vgg_head", "vgg_full", "mnist_cnn", "mlp", "tiny_ops", "lite0"]


def run(command):
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    arguments = sys.argv[1:]
    if not arguments:
        sys.exit(__doc__)
    bench, arguments = arguments[0], arguments[1:]
    rounds = 2
    if arguments[:1] == ["--rounds"]:
        rounds, arguments = int(arguments[1]), arguments[2:]
    workloads = arguments or SHARED
    unknown = [w for w in workloads if w not in SHARED]
    if unknown:
        sys.exit(f"unknown workload {unknown[0]}; both sides run: {', '.join(SHARED)}")
    rows = []
    for workload in workloads:
        for round_number in range(1, rounds + 1):
            ours = run([bench, workload])
            theirs = run([sys.executable, str(HERE / "torch_workloads.py"), workload])
            for key in ours:
                if key in theirs:
                    rows.append((key, round_number, ours[key], theirs[key], ours[key] / theirs[key]))
                    print(f"{key:28} round {round_number}: Tapegrad {ours[key]:10.3f}  PyTorch {theirs[key]:10.3f}"
                          f"  ratio {ours[key] / theirs[key]:.2f}x", flush=True)
    print("\nTapegrad / PyTorch (times: below 1 is faster; GFLOP/s: above 1 is faster), one column per round:")
    for key in dict.fromkeys(row[0] for row in rows):
        ratios = "  ".join(f"{row[4]:.2f}x" for row in rows if row[0] == key)
        print(f"  {key:28} {ratios}")


if __name__ == "__main__":
    main()
