#!/bin/sh
# `make docs`: the DocC reference and articles of each library into docs-build/<Target>/ (open
# docs-build/<Target>/index.html through a local web server, or `swift package preview-documentation`).
# Any warning (a broken symbol link, an undocumented parameter) fails the build: `make test` runs this.
set -eu
SWIFT=${SWIFT:-swift}
mkdir -p docs-build
for target in Autograd NN Datasets Training Zoo Interpretation; do
    echo "documentation: $target"
    "$SWIFT" package --allow-writing-to-directory docs-build generate-documentation --target "$target" \
        --output-path "docs-build/$target" --warnings-as-errors >docs-build/"$target".log 2>&1 || {
        cat docs-build/"$target".log
        exit 1
    }
done
