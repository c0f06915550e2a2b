#!/usr/bin/env bash
# Refresh the KaTeX copy that the documentation site serves itself (docs/assets/vendor/katex/).
#
#   scripts/update_vendor.sh            # the version pinned below
#   scripts/update_vendor.sh 0.19.1     # another version
#
# Needs npm and network access to the npm registry; building the site does not:
# the files written here are committed, and `mkdocs build` only copies them.
# Kept from the npm package `katex`: dist/katex.min.js, dist/katex.min.css,
# the woff2 fonts and LICENSE (the site calls katex.render itself). The stylesheet's
# @font-face rules are trimmed to their woff2 source, the only font files kept
# (every browser that runs KaTeX reads woff2).
set -euo pipefail

VERSION="${1:-0.19.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/docs/assets/vendor/katex"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "katex@$VERSION" > pack.txt
TARBALL="$(tail -n 1 pack.txt)"
tar -xzf "$TARBALL"
INTEGRITY="$(sha256sum "$TARBALL" | cut -d' ' -f1)"

rm -rf "$TARGET"
mkdir -p "$TARGET/fonts"
cp package/LICENSE "$TARGET/LICENSE"
cp package/dist/katex.min.js "$TARGET/katex.min.js"
cp package/dist/fonts/*.woff2 "$TARGET/fonts/"
# keep only the woff2 source of each @font-face: src:url(fonts/X.woff2) format("woff2"),url(...woff)...,url(...ttf)...
sed -E 's/(url\(fonts\/[A-Za-z0-9_-]+\.woff2\) format\("woff2"\)),url\(fonts\/[A-Za-z0-9_-]+\.woff\) format\("woff"\),url\(fonts\/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)/\1/g' \
    package/dist/katex.min.css > "$TARGET/katex.min.css"
if grep -qE '\.(woff|ttf)\)' "$TARGET/katex.min.css"; then
    echo "update_vendor.sh: katex.min.css still names woff or ttf files; adjust the sed expression" >&2
    exit 1
fi

cat > "$TARGET/VENDOR.txt" <<NOTE
KaTeX $VERSION, vendored

Copied by \`scripts/update_vendor.sh $VERSION\` from the npm package \`katex@$VERSION\`
(tarball sha256 $INTEGRITY). Licence: MIT, in LICENSE beside this file.
Kept: katex.min.js, katex.min.css (its @font-face rules trimmed to woff2)
and fonts/*.woff2. Do not edit these files by hand:
run the script again.
NOTE
echo "vendored KaTeX $VERSION into ${TARGET#"$ROOT"/}"
