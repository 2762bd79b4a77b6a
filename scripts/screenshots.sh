#!/usr/bin/env bash
# Refreshes the screenshots in docs/ (page.png, page-mobile.png, extension.png): runs the
# end-to-end tests, which also save their screenshots there when FACTCHECK_SCREENSHOTS is set.
# Needs Debian's chromium (apt-get install chromium) and the dev requirements in .venv.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "error: chromium is not installed (Debian: apt-get install chromium)" >&2
    exit 1
fi
FACTCHECK_SCREENSHOTS=docs exec .venv/bin/python -m pytest -q -p no:cacheprovider \
    tests/ops/test_e2e_page.py tests/ops/test_e2e_extension.py "$@"
