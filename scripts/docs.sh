#!/bin/sh
# `make docs`: the DocC reference and articles of each library into docs-build/<Target>/, laid out for a static
# web server (`make docs-serve`; the pages are blank from file://). Any warning (a broken symbol link, an
# undocumented parameter) fails the build: `make test` runs this.
#
# The toolchain's own tools, with no package plugin: SwiftPM dumps each module's symbol graph (its public API
# and doc comments), and `docc convert` joins a library's graphs with its .docc catalogue. So a package that
# depends on Tapegrad builds no documentation plugin.
set -eu
SWIFT=${SWIFT:-swift}
DOCC=${DOCC:-$(dirname "$(readlink -f "$(command -v "$SWIFT")")")/docc}
mkdir -p docs-build
echo "symbol graphs (swift package dump-symbol-graph)"
"$SWIFT" package dump-symbol-graph --emit-extension-block-symbols >docs-build/symbol-graphs.log 2>&1 || {
    cat docs-build/symbol-graphs.log
    exit 1
}
graphs=$(sed -n 's/^Files written to //p' docs-build/symbol-graphs.log | tail -1)
test -d "$graphs" || { echo "dump-symbol-graph did not say where it wrote (docs-build/symbol-graphs.log)"; exit 1; }
for target in Autograd NN Datasets Training Interpretation Distributed Zoo Transfer; do
    echo "documentation: $target"
    # A module's graphs: its own, and those of its extensions to other modules' types (Module@Other).
    only="docs-build/.graphs/$target"
    rm -rf "$only" "docs-build/$target"
    mkdir -p "$only"
    cp "$graphs/$target.symbols.json" "$only/"
    for extension in "$graphs/$target"@*.symbols.json; do
        if [ -e "$extension" ]; then cp "$extension" "$only/"; fi
    done
    "$DOCC" convert "Sources/$target/$target.docc" --additional-symbol-graph-dir "$only" \
        --fallback-display-name "$target" --fallback-bundle-identifier "$target" \
        --transform-for-static-hosting --output-path "docs-build/$target" --warnings-as-errors \
        >docs-build/"$target".log 2>&1 || {
        cat docs-build/"$target".log
        exit 1
    }
done
rm -rf docs-build/.graphs
