#!/usr/bin/env bash
# Builds Examples/UsingTapegrad, the package of the article "Use Tapegrad in your package", as someone depending on
# Tapegrad would: beside a clone named `tapegrad` (a local package's identity is its folder's name), in a folder
# of its own. Fails if the article's snippets are not the example's own code, if the snippets of Zoo's article
# "Transfer learning" do not compile there, if the build prints a warning (the dependent sees Tapegrad's warnings
# too), or if the program does not answer. Run by `make test`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
example="$root/Examples/UsingTapegrad"
article="$root/Sources/NN/NN.docc/UsingTapegradInYourPackage.md"
SWIFT="${SWIFT:-swift}"

# Every line of the article's swift blocks is in the example's files, in order within its block.
python3 - "$article" "$example/Package.swift" "$example/Sources/Classifier/main.swift" <<'PY'
import re, sys
article = open(sys.argv[1]).read()
files = "\n".join(open(path).read() for path in sys.argv[2:])
for block in re.findall(r"```swift\n(.*?)```", article, re.S):
    lines = [line.strip() for line in block.strip().splitlines() if line.strip() and line.strip() != "..."]
    position = 0
    for line in lines:
        found = files.find(line, position)
        if found < 0:
            sys.exit(f"{sys.argv[1]}: the line '{line}' is not in Examples/UsingTapegrad (in that order)")
        position = found + len(line)
PY

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ln -s "$root" "$work/tapegrad"
cp -R "$example" "$work/app"
rm -rf "$work/app/.build"
# The articles whose snippets must compile as a dependent writes them: each article's swift blocks, in order, as
# the body of one function (they use `try`), beside the program.
python3 - "$work/app/Sources/Classifier/DocumentedExamples.swift" "$root/Sources/Zoo/Zoo.docc/TransferLearning.md" <<'PY'
import re, sys
out = "import Autograd\nimport Datasets\nimport Foundation\nimport NN\nimport Training\nimport Zoo\n"
for number, path in enumerate(sys.argv[2:]):
    blocks = re.findall(r"```swift\n(.*?)```", open(path).read(), re.S)
    out += f"\n// {path.split('/Sources/')[-1]}\nfunc documentedExample{number}() throws {{\n" + "".join(blocks) + "}\n"
open(sys.argv[1], "w").write(out)
PY
started=$(date +%s)
"$SWIFT" build --package-path "$work/app" 2>&1 | tee "$work/build.log" | grep -E "error|warning|Compiling plugin|Build complete" || true
if grep -q "warning:" "$work/build.log"; then
    echo "Building a package that depends on Tapegrad printed warnings (above)" >&2
    exit 1
fi
grep -q "Build complete" "$work/build.log" || { echo "The dependent package did not build" >&2; exit 1; }
output="$("$work/app/.build/debug/Classifier" 2>&1)"
echo "$output" | grep -E "^(test accuracy|a white picture)"
echo "$output" | grep -q "a white picture: bright" || { echo "The dependent program did not answer 'bright'" >&2; exit 1; }
echo "Examples/UsingTapegrad built and ran in $(($(date +%s) - started)) s beside a clone named tapegrad, with no warning"
