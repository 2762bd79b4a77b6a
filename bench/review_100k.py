"""Time ``POST /v1/review`` on a 100 KB text built from the seed corpus.

Usage: ``.venv/bin/python bench/review_100k.py [--chars N] [--runs N]``

Builds one text of about ``--chars`` characters (default 100,000) by concatenating the seed
documents (paragraphs separated by blank lines) until it is long enough, and posts it to the
app through Flask's test client (JSON parsing, review, JSON dump: everything but the network).
It prints the best and median wall time of ``--runs`` requests, and the same for a text
in which every sentence is distinct (each repetition of the seeds gets a marker word
appended to its sentences), so the figure without the within-request cache is known too.
No timing is asserted anywhere; this is a measurement.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import create_app  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_SENTENCE_END = re.compile(r"(?<=[a-z])\.(?=\s)")


def build_text(chars: int, *, distinct: bool) -> str:
    """The seed documents repeated up to ``chars``; ``distinct`` makes every copy differ."""
    documents = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    parts: list[str] = []
    copy, length = 0, 0
    while length < chars:
        for doc in documents:
            text = _SENTENCE_END.sub(f" (copy {copy}).", doc) if distinct else doc
            parts.append(text)
            length += len(text) + 2
        copy += 1
    return "\n\n".join(parts)[:chars]


def measure(client, text: str, runs: int) -> tuple[list[float], dict]:
    times, body = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/v1/review", json={"text": text, "top_k": 3})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
    return times, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    client = create_app().test_client()
    for label, distinct in (("seed texts repeated", False), ("every sentence distinct", True)):
        text = build_text(args.chars, distinct=distinct)
        times, body = measure(client, text, args.runs)
        sentences = body["sentences"]
        checked = [s for s in sentences if s["checked"]]
        distinct_checks = {s["text"] for s in checked} | {
            c["text"] for s in checked for c in s["clauses"] if c["checked"]
        }
        print(
            f"{label}: {len(text):,} chars, {len(sentences)} sentences, {len(checked)} checked "
            f"({len(distinct_checks)} distinct texts checked): "
            f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms "
            f"over {args.runs} runs (service took_ms {body['took_ms']:.0f})"
        )


if __name__ == "__main__":
    main()
