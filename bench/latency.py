"""In-process check latency over the dev claims and perturbed variants of them.

Usage: ``.venv/bin/python bench/latency.py [--corpus seeds] [--index DIR] [--variants 4]``

Loads a checker (analysing ``--corpus`` at start-up, or loading the prebuilt ``--index`` of
it), then times ``FactChecker.check`` on every claim of ``bench/claims.jsonl`` (the 60 dev
claims) followed by ``--variants`` perturbed versions of each (names, figures and dates
changed as ``bench/synth.py`` changes documents), each claim once. Each text is new to the
process, so the per-process cache of claim analyses never answers; passages retrieved by
an earlier claim may still be analysed already, as in a running server. The first check
after loading is reported on its own (it touches the index's pages first). Prints a
summary line and a JSON line; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

from service.engine.checker import FactChecker  # noqa: E402
from service.engine.corpus import load_corpus  # noqa: E402
from service.retrieval import prebuilt  # noqa: E402
from service.retrieval.index import PassageIndex  # noqa: E402
from service.web.app import settle_heap  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "bench" / "claims.jsonl"


def claims(variants: int, path: Path = CLAIMS) -> list[str]:
    """The dev claims, then ``variants`` perturbed versions of each; no text twice."""
    base = [json.loads(line)["claim"] for line in path.read_text().splitlines() if line.strip()]
    seeds = synth.load_seeds()
    more = [v for i, c in enumerate(base) for v in synth.variants(c, variants, seed=i, seeds=seeds)]
    return list(dict.fromkeys(base + more))


def memory_mb() -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields["VmRSS"], 1), "peak_rss_mb": round(fields["VmHWM"], 1)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_checks(checker: FactChecker, texts: list[str]) -> dict[str, float]:
    """Latency of ``checker.check`` on each text once, in ms: first, p50, p99, max, mean."""
    times = []
    for text in texts:
        started = time.perf_counter()
        checker.check(text)
        times.append((time.perf_counter() - started) * 1000)
    first, rest = times[0], times[1:] or times
    return {
        "claims": len(times),
        "first_ms": round(first, 2),
        "p50_ms": round(percentile(rest, 0.50), 2),
        "p99_ms": round(percentile(rest, 0.99), 2),
        "max_ms": round(max(rest), 2),
        "mean_ms": round(statistics.fmean(rest), 2),
    }


def open_checker(corpus: Path, index: Path | None) -> tuple[FactChecker, float]:
    """The checker and the seconds it took to be ready."""
    started = time.perf_counter()
    if index is None:
        checker = FactChecker.learn(load_corpus(corpus), build=PassageIndex.build)
    else:
        checker = prebuilt.load(index, corpus)
    settle_heap()  # as create_app does once the corpus is loaded
    return checker, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    parser.add_argument("--index", type=Path, help="prebuilt index of --corpus")
    parser.add_argument("--variants", type=int, default=4, help="variants per dev claim")
    args = parser.parse_args(argv)
    texts = claims(args.variants)
    checker, ready = open_checker(args.corpus, args.index)
    after_load = memory_mb()
    figures = time_checks(checker, texts)
    result = {
        "corpus": str(args.corpus),
        "documents": len(checker.corpus.documents),
        "passages": len(checker.corpus.passages),
        "ready_s": round(ready, 2),
        "rss_after_load_mb": after_load["rss_mb"],
        **figures,
        **memory_mb(),
    }
    print(
        f"{result['documents']:,} documents, {result['passages']:,} passages: ready in"
        f" {result['ready_s']} s; {result['claims']} claims, first {result['first_ms']} ms,"
        f" p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms;"
        f" RSS {result['rss_mb']} MB (peak {result['peak_rss_mb']} MB)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
