"""The limits and defaults of a check, each defined once.

The request schemas (``schemas/``), the engine and ``openapi.yaml`` agree with these:
tests/web/test_limits.py compares them.
"""

from __future__ import annotations

# A claim's length once trimmed, in characters (``POST /v1/check``); a sentence of a review
# longer than the maximum is scored but not checked.
CLAIM_MIN_CHARS = 3
CLAIM_MAX_CHARS = 1000
# Evidence passages returned per claim: by default, at most, and per sentence of a review.
DEFAULT_TOP_K = 5
MAX_TOP_K = 20
DEFAULT_REVIEW_TOP_K = 3
