#!/usr/bin/env bash
# Fetches, once, real photographs for the transfer-learning race: Debian's tuxpaint-stamps-default 2022.06.04-1
# (Tux Paint's stamps, GPL-2; photos cut out on transparent backgrounds, RGBA PNGs of varied sizes), and builds two
# image folders from it in $TAPEGRAD_CACHE/stamps (default: .cache/stamps in the repository):
#   photos/  the target task, 5 classes, 167 photos: birds 35, flowers 24, fruit 26, mammals 64, vegetables 18;
#   source/  other photo categories, 8 classes, 88 photos, for the developed-model approach: coins, fish, insects,
#            planets, sports, string instruments, tools, trees.
# The package's cartoon sub-folders (drawings) and its *_mirror.png copies (a mirrored copy would let one photo
# stand in the training and the test split at once) are left out. Run by `make`; nothing else touches the network.
set -euo pipefail

cache="${TAPEGRAD_CACHE:-$(cd "$(dirname "$0")/.." && pwd)/.cache}"
out="$cache/stamps"
package=tuxpaint-stamps-default
version=2022.06.04-1
sha256=6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34
if [ -f "$out/complete" ]; then
    exit 0
fi

echo "Fetching $package $version from Debian into $out (once; 161 MB, of which 255 photos are kept)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
if ! apt-cache show "$package=$version" >/dev/null 2>&1; then
    $sudo apt-get update -qq
fi
(cd "$work" && apt-get download -qq "$package=$version" 2>/dev/null)
deb="$work/${package}_${version}_all.deb"
actual="$(sha256sum "$deb" | cut -d' ' -f1)"
if [ "$actual" != "$sha256" ]; then
    echo "$deb: SHA-256 $actual, expected $sha256: not the package Tapegrad was tested with" >&2
    exit 1
fi
dpkg -x "$deb" "$work/x"
stamps="$work/x/usr/share/tuxpaint/stamps"

rm -rf "$out"
mkdir -p "$out"
# copy CLASS FOLDER...: every photo directly in each FOLDER (not its sub-folders), as CLASS/<folder's last name>-<file>.
copy() {
    local part="$1" class="$2"
    shift 2
    mkdir -p "$out/$part/$class"
    for folder in "$@"; do
        for file in "$stamps/$folder"/*.png; do
            case "$file" in *_mirror.png) continue ;; esac
            cp "$file" "$out/$part/$class/$(basename "$folder")-$(basename "$file")"
        done
    done
}
copy photos birds animals/birds
copy photos flowers plants/flowers
copy photos fruit food/fruit
copy photos mammals animals/mammals animals/mammals/{apes,aquatic,bears,bovines,camel,cats,deer,dogs,equines,rodents}
copy photos vegetables food/vegetables
copy source coins symbols/money/{canadian/coins,euro/coins,japanese,us/coins}
copy source fish animals/fish animals/shellfish
copy source insects animals/insects
copy source planets space/planets
copy source sports sports
copy source string-instruments hobbies/music/string
copy source tools household/tools
copy source trees plants/trees
cp "$work/x/usr/share/doc/$package/copyright" "$out/copyright"

expected="photos/birds 35 photos/flowers 24 photos/fruit 26 photos/mammals 64 photos/vegetables 18"
expected="$expected source/coins 22 source/fish 13 source/insects 9 source/planets 10 source/sports 9"
expected="$expected source/string-instruments 6 source/tools 12 source/trees 7"
set -- $expected
while [ $# -gt 0 ]; do
    found="$(ls "$out/$1" | wc -l)"
    if [ "$found" != "$2" ]; then
        echo "$package $version: $1 has $found photos, expected $2" >&2
        exit 1
    fi
    shift 2
done
echo "$package $version (GPL-2, see copyright)" >"$out/complete"
echo "wrote $(find "$out/photos" -name '*.png' | wc -l) target and $(find "$out/source" -name '*.png' | wc -l) source photos to $out"
