#!/usr/bin/env bash
# Print the responses of the curl examples of docs/EXAMPLES.md (and README.md's one), from a
# running service, to refresh them when the engine changes. Usage: scripts/readme-examples.sh [BASE_URL]
# (default http://127.0.0.1:8000). Output is pretty-printed and untrimmed; trim by hand.
set -euo pipefail

base="${1:-http://127.0.0.1:8000}"
pretty() { python3 -m json.tool --no-ensure-ascii; }
json=(-H 'Content-Type: application/json')

echo '### POST /v1/check'
curl -sS "$base/v1/check" "${json[@]}" \
    -d '{"claim": "The fighting started on September 15.", "top_k": 2}' | pretty
echo '### POST /v1/check/batch'
curl -sS "$base/v1/check/batch" "${json[@]}" \
    -d '{"claims": ["The clashes erupted on September 13.",
                    {"claim": "Armenia lost 300 soldiers in the clashes.", "top_k": 1}],
         "top_k": 1}' | pretty
echo '### POST /v1/check, text/plain, as_of'
curl -sS "$base/v1/check" "${json[@]}" -H 'Accept: text/plain' \
    -d '{"claim": "Armenia lost 135 soldiers", "as_of": "2022-09-14"}'
echo '### POST /v1/review'
review='{"text": "Border clashes: what we know\nThe fighting started on September 13; Armenia said 49 soldiers died. Is this the end of the war? Russia has some 5,000 peacekeepers in the region.", "top_k": 1}'
curl -sS "$base/v1/review" "${json[@]}" -d "$review" | pretty
echo '### POST /v1/review, text/plain'
curl -sS "$base/v1/review" "${json[@]}" -H 'Accept: text/plain' -d "$review"
echo '### POST /v1/check, ClaimReview'
curl -sS "$base/v1/check" "${json[@]}" -H 'Accept: application/ld+json' \
    -d '{"claim": "Armenia lost 300 soldiers in the clashes.", "top_k": 2}' | pretty
echo '### GET /v1/sources'
curl -sS "$base/v1/sources" | pretty
echo '### GET /v1/sources/003_76dd1eb450d0be15'
curl -sS "$base/v1/sources/003_76dd1eb450d0be15" | pretty
echo '### 422'
curl -sS -i "$base/v1/check" "${json[@]}" -d '{"claim": "no", "top_k": 50}'
echo
echo '### 404'
curl -sS "$base/v1/sources/nope"
echo
