#!/usr/bin/env bash
# Copy the result renderer the page and the browser extension share from its one home,
# service/web/static/, into extension/ (an extension may load only its own files).
# Run after editing render.js or render.css; tests/web/test_page.py fails while they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
for name in render.js render.css; do
    cp "service/web/static/$name" "extension/$name"
done
