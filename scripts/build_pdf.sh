#!/usr/bin/env bash
# Build the PDF edition of the book, book/_build/pdf/cnn-book.pdf, and check it
# (scripts/check_pdf.py). `bash scripts/build_book.sh pdf` runs this after the HTML build.
#
# The PDF is made from the notebooks the HTML build executed: their outputs come from the
# executed-notebook cache (book/_build/.jupyter_cache), and this script stops, before
# anything runs, if a notebook of the book is not cached there. jupyter-book's LaTeX
# builder writes book/_build/latex/cnn-book.tex and XeLaTeX (through latexmk) sets it;
# the settings are in book/_config.yml (`latex:` and `sphinx.config.latex_elements`).
#
# TeX is needed only here: when XeLaTeX, latexmk, a LaTeX package, a font or pdftotext is
# missing, the Debian packages below are installed with apt-get (as root, or through
# password-less sudo). The HTML build and the tests never install TeX.
#
# For a trial on a few pages: PDF_TOC, PDF_CONFIG and PDF_OUTPUT replace book/_toc.yml,
# book/_config.yml and the output folder `book` (whose _build/.jupyter_cache is the cache),
# and PDF_MIN_PAGES the checker's minimum page count.
set -euo pipefail
cd "$(dirname "$0")/.."
TOC=${PDF_TOC:-book/_toc.yml}
CONFIG=${PDF_CONFIG:-book/_config.yml}
OUTPUT=${PDF_OUTPUT:-book}
NAME=cnn-book  # latex.latex_documents.targetname in book/_config.yml, without .tex

# No re-execution: every notebook of the TOC must be in the cache with its current code.
# (jupyter-book would run any that is not, in whatever mode this shell is in.)
python3 - "$TOC" "$OUTPUT/_build/.jupyter_cache" <<'PY'
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache

sys.path.insert(0, "scripts")
from check_pdf import toc_files  # noqa: E402

toc, cache_dir = Path(sys.argv[1]), Path(sys.argv[2])
notebooks = [Path(f + ".ipynb") for f in toc_files(toc) if Path(f + ".ipynb").is_file()]
cache = get_cache(cache_dir) if cache_dir.is_dir() else None
stale = []
for nb in notebooks:
    try:
        cache.match_cache_notebook(nbformat.read(nb, as_version=4))
    except (AttributeError, KeyError):  # no cache at all, or no record for this code
        stale.append(str(nb))
if stale:
    sys.exit(f"build_pdf: {len(stale)} notebook(s) not in the executed-notebook cache "
             f"{cache_dir} with their current code: {', '.join(stale)}.\n"
             "Build the HTML first (`bash scripts/build_book.sh pdf` does both), so that "
             "the PDF shows the outputs of the same executed notebooks.")
print(f"build_pdf: all {len(notebooks)} notebooks are in the cache; none is re-executed")
PY

# TeX and fonts. Debian packages: XeLaTeX, latexmk, the LaTeX packages of Sphinx and of
# sphinx-jupyterbook-latex (texlive-latex-extra, texlive-pictures: tikz, pgfplots...),
# Korean (kotex/xetexko), the fonts of latex_elements.fontpkg, pdftotext for the check.
PACKAGES=(texlive-xetex texlive-latex-recommended texlive-latex-extra
  texlive-fonts-recommended texlive-pictures texlive-lang-korean fonts-noto-cjk
  fonts-freefont-otf fonts-dejavu-core latexmk make poppler-utils)
# What the build uses from them: commands, LaTeX packages and fonts.
COMMANDS=(xelatex latexmk make makeindex pdftotext fc-list kpsewhich)
STYLES=(fncychap.sty tabulary.sty varwidth.sty wrapfig.sty capt-of.sty
  needspace.sty framed.sty upquote.sty titlesec.sty fontspec.sty unicode-math.sty
  tikz.sty pgfplots.sty mathrsfs.sty changepage.sty kotex.sty)
FONTS=(FreeSerif FreeSans "DejaVu Sans Mono" "Noto Serif CJK KR" "Noto Sans CJK KR"
  "Noto Sans Mono CJK KR")

# Prints what is missing, one item a line; nothing when all is there.
missing() {
  local c s f
  for c in "${COMMANDS[@]}"; do command -v "$c" >/dev/null || echo "command $c"; done
  if command -v kpsewhich >/dev/null; then
    for s in "${STYLES[@]}"; do [ -n "$(kpsewhich "$s")" ] || echo "LaTeX package $s"; done
  fi
  if command -v fc-list >/dev/null; then
    for f in "${FONTS[@]}"; do fc-list "$f" | grep -q . || echo "font $f"; done
  fi
}

# Runs a command as root: directly, or through password-less sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
# apt-get install, quietly and without questions.
apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "$@" >/dev/null
}

need=$(missing)
if [ -n "$need" ]; then
  echo "build_pdf: missing $(echo "$need" | paste -sd, - | sed 's/,/, /g');" \
    "installing the Debian packages ${PACKAGES[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "build_pdf: apt-get not found. Install by hand: TeX Live with XeLaTeX and latexmk" \
      "(collections xetex, latexrecommended, latexextra, pictures, fontsrecommended," \
      "langkorean), the fonts Noto Serif/Sans/Sans Mono CJK KR, GNU FreeFont (FreeSerif," \
      "FreeSans) and DejaVu Sans Mono, and poppler (pdftotext); then run this again." >&2
    exit 2
  fi
  # On a fresh machine the package lists may be missing or stale: update, then try again.
  if ! apt_install "${PACKAGES[@]}"; then
    { as_root apt-get update -qq && apt_install "${PACKAGES[@]}"; } \
      || { echo "build_pdf: apt-get could not install ${PACKAGES[*]} (run this as root," \
             "or with password-less sudo)" >&2; exit 2; }
  fi
  need=$(missing)
  if [ -n "$need" ]; then
    echo "build_pdf: still missing after apt-get: $(echo "$need" | paste -sd, -)" >&2
    exit 2
  fi
fi

# The same strict build as the HTML (-W -n: any warning fails), with the LaTeX builder.
# latexmk runs XeLaTeX (-xelatex: .xdv files, one conversion to PDF at the end) until the
# references settle; XeLaTeX stops at the first error instead of asking what to do.
# jupyter-book exits 0 even when LaTeX fails: an old PDF is removed first, and its absence
# afterwards is the error.
latex_dir="$OUTPUT/_build/latex"
rm -f "$latex_dir/$NAME.pdf"
start=$SECONDS
# As in build_book.sh: with another hash seed Sphinx sees its configuration change (a
# list of excluded files in another order) and reads every page again, here and in the
# next HTML build.
export PYTHONHASHSEED=0
export LATEXMKOPTS="-xelatex -silent" LATEXOPTS="-interaction=nonstopmode -halt-on-error"
jupyter-book build . --config "$CONFIG" --toc "$TOC" --path-output "$OUTPUT" \
  --builder pdflatex -W -n --keep-going
if [ ! -f "$latex_dir/$NAME.pdf" ]; then
  echo "build_pdf: XeLaTeX made no $latex_dir/$NAME.pdf; the first error in" \
    "$latex_dir/$NAME.log:" >&2
  grep -m1 -A4 '^!' "$latex_dir/$NAME.log" >&2 || true
  exit 1
fi
# A stable place for the PDF and its log, beside the HTML.
mkdir -p "$OUTPUT/_build/pdf"
cp "$latex_dir/$NAME.pdf" "$latex_dir/$NAME.log" "$OUTPUT/_build/pdf/"
# The HTML book links the PDF as cnn-book.pdf beside its pages (book/intro.md).
if [ -d "$OUTPUT/_build/html" ]; then
  cp "$latex_dir/$NAME.pdf" "$OUTPUT/_build/html/cnn-book.pdf"
fi
echo "build_pdf: $OUTPUT/_build/pdf/$NAME.pdf in $((SECONDS - start)) s"
check_args=(--pdf "$OUTPUT/_build/pdf/$NAME.pdf" --toc "$TOC")
[ -n "${PDF_MIN_PAGES:-}" ] && check_args+=(--min-pages "$PDF_MIN_PAGES")
python3 scripts/check_pdf.py "${check_args[@]}"
