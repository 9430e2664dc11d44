#!/usr/bin/env bash
# Make the book's Korean web font (book/_static/fonts/noto-sans-kr-{400,700}.woff2, committed):
# Noto Sans KR (SIL Open Font License, from npm) cut to the Hangul syllables, the jamo, the
# compatibility jamo and CJK punctuation (about 0.65 MB a weight instead of 6 MB).
# book/_static/book.css uses it for Hangul only (unicode-range): Latin text keeps the
# theme's fonts. Needs npm, fonttools and brotli (pip install fonttools brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --prefix "$tmp" @expo-google-fonts/noto-sans-kr@0.4.3 >/dev/null
src="$tmp/node_modules/@expo-google-fonts/noto-sans-kr"
mkdir -p book/_static/fonts
for weight in 400Regular 700Bold; do
  pyftsubset "$src/$weight/NotoSansKR_$weight.ttf" \
    --unicodes="U+AC00-D7A3,U+1100-11FF,U+3130-318F,U+3000-303F,U+FF01-FF60" \
    --layout-features='*' --no-hinting --desubroutinize --flavor=woff2 \
    --output-file="book/_static/fonts/noto-sans-kr-${weight:0:3}.woff2"
done
cp "$src/LICENSE_FONT" book/_static/fonts/OFL.txt
ls -l book/_static/fonts
