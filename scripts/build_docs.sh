#!/usr/bin/env bash
# Build the manuals: the QR codes of the 76 centres (docs/qr/) and the citizens' guide as an
# A4 PDF (docs/citizen-guide.pdf, Thai fonts from fonts-thai-tlwg, printed by headless
# Chromium). Markdown stays Markdown. Installs what it needs first (scripts/setup.sh docs);
# the build itself is offline.
#
#   bash scripts/build_docs.sh [--domain D] [--base-url URL]
#
# Pictures are separate (they need a running stack): .venv/bin/python scripts/screenshots.py
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DOMAIN=damrongdham.localhost
BASE_URL=http://127.0.0.1:8080/
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) DOMAIN=$2; shift 2 ;;
    --base-url) BASE_URL=$2; shift 2 ;;
    *) echo "usage: $0 [--domain D] [--base-url URL]" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh docs
rm -rf docs/qr
.venv/bin/damrongdham qr --out docs/qr --domain "$DOMAIN" --base-url "$BASE_URL"
"$PY" - docs/citizen-guide.md docs/citizen-guide.pdf <<'PYEOF'
"""Markdown -> HTML (python-markdown) -> A4 PDF (headless Chromium through Playwright)."""
import os
import sys
from pathlib import Path

import markdown
from playwright.sync_api import sync_playwright

src, dest = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
body = markdown.markdown(src.read_text(encoding="utf-8"), extensions=["tables"])
css = """
@page { size: A4; margin: 10mm 11mm; }
body { font-family: 'Sarabun', 'TH Sarabun New', 'Loma', 'Garuda', 'Noto Sans Thai',
       sans-serif; font-size: 9.3pt; line-height: 1.3; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2mm; color: #1d3c8f; }
h2 { font-size: 11pt; margin: 2.5mm 0 1mm; color: #1d3c8f; }
p, ul, ol { margin: 1mm 0; } li { margin: 0.3mm 0; }
ol, ul { padding-left: 5mm; }
blockquote { margin: 1.5mm 0; padding: 1.5mm 3mm; background: #fde8e8;
             border-left: 3px solid #c00; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.4pt; }
p:has(> img) { display: flex; gap: 3mm; }
img { max-height: 58mm; max-width: 62mm; border: 1px solid #bbb; }
hr { break-after: page; border: 0; }
"""
html = ('<!doctype html><html lang="th"><meta charset="utf-8"><title>'
        + src.stem + "</title><style>" + css + "</style><body>" + body + "</body></html>")
tmp = src.with_name(".citizen-guide.print.html")
tmp.write_text(html, encoding="utf-8")
try:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("DAMRONGDHAM_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(tmp.as_uri())
        page.wait_for_load_state("networkidle")
        page.pdf(path=str(dest), format="A4", print_background=True)
        browser.close()
finally:
    tmp.unlink(missing_ok=True)
print(f"wrote {dest}")
PYEOF
echo "docs built: docs/citizen-guide.pdf, docs/qr/ ($(ls docs/qr | wc -l) files)"
