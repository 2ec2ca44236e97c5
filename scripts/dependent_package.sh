#!/usr/bin/env bash
# Builds Examples/UsingTapegrad, the package of the article "Use Tapegrad in your package", as someone depending on
# Tapegrad would: beside a clone named `tapegrad` (a local package's identity is its folder's name), in a folder
# of its own. Fails if the article's snippets are not the example's own code, if the snippets of any other
# DocC article do not compile there, if the build prints a warning (the dependent sees Tapegrad's warnings
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

# Every DocC article's snippets must compile as a dependent writes them (but the article above, whose snippets
# are the example's own code, and Distributed's, which the example does not use: a package that uses it needs
# OpenMPI, and DistributedTests compiles them). In each article, the blocks that declare something (a function,
# a type) go to the file's top level, and the blocks of statements, in order, make the body of one function
# (they use `try`).
python3 - "$work/app/Sources/Classifier/DocumentedExamples.swift" "$root" <<'PY'
import glob, os, re, sys
declaration = re.compile(r"(func|final class|class|struct|enum|extension|protocol|public|private|@)\b")
out = "import Autograd\nimport Datasets\nimport Foundation\nimport Interpretation\nimport NN\nimport Training\nimport Transfer\nimport Zoo\n"
articles = sorted(glob.glob(os.path.join(sys.argv[2], "Sources/*/*.docc/*.md")))
kept = [a for a in articles if not a.endswith("UsingTapegradInYourPackage.md") and "/Sources/Distributed/" not in a]
for number, path in enumerate(kept):
    declarations, statements = "", ""
    for block in re.findall(r"```swift\n(.*?)```", open(path).read(), re.S):
        lines = [line for line in block.splitlines() if not line.startswith("import ")]
        code = [line for line in lines if line.strip() and not line.lstrip().startswith("//")]
        if code and declaration.match(code[0]):
            declarations += "\n".join(lines) + "\n"
        else:
            statements += "\n".join(lines) + "\n"
    name = path.split("/Sources/")[-1]
    out += f"\n// article: {name}\n{declarations}func documentedExample{number}() throws {{\n{statements}}}\n"
open(sys.argv[1], "w").write(out)
PY
"$SWIFT" build --package-path "$work/app" >"$work/examples.log" 2>&1 || {
    grep -E "error" "$work/examples.log" >&2
    echo "A DocC article's snippets do not compile (above; the file is $work/app/Sources/Classifier/DocumentedExamples.swift)" >&2
    exit 1
}
# A snippet may name a value for the reader without using it; any other warning fails.
if grep "warning:" "$work/examples.log" | grep -v "was never used"; then
    echo "A DocC article's snippets compile with warnings (above)" >&2
    exit 1
fi
echo "The snippets of $(grep -c '^// article: ' "$work/app/Sources/Classifier/DocumentedExamples.swift") DocC articles compile as a dependent writes them"
