"""Incremental update of a prebuilt index against a full build (issue 17).

Usage: ``.venv/bin/python bench/update.py [--docs 20000] [--add 100] [--work /tmp/update]
[--workers 2] [--fresh]``

``bench/synth.py`` writes ``--docs`` synthetic documents plus the five seed reports into
``WORK/corpus-N``, and ``python -m service.retrieval.prebuilt`` builds ``WORK/index-N`` from
them (timed: the full build). Then ``--add`` more synthetic reports (another random seed,
their own ids) are written to ``added.jsonl`` in a copy of the corpus and the copy of the
index is updated (``--update``, timed); then they are removed and the index updated again
(timed). Each command runs in its own process, as an operator would run it. Nothing is
asserted; the figures are printed as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADDED = "added.jsonl"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - started


def prebuilt(corpus: Path, index: Path, workers: int, *extra: str) -> float:
    module = [PYTHON, "-m", "service.retrieval.prebuilt", *extra]
    return timed([*module, "--corpus", str(corpus), "--out", str(index), "--workers", str(workers)])


def added_reports(work: Path, count: int) -> Path:
    """``count`` synthetic reports with ids no other document has, as one .jsonl file."""
    folder = work / f"added-{count}"
    if not (folder / "synthetic.jsonl").is_file():
        synth = [PYTHON, "bench/synth.py", "--docs", str(count), "--seed", "17", "--no-seeds"]
        subprocess.run([*synth, "--out", str(folder)], cwd=ROOT, check=True)
    lines = (folder / "synthetic.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    for record in records:
        record["id"] = "added-" + record["id"]
    out = folder / ADDED
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/factcheck-update"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="regenerate the corpus and index")
    args = parser.parse_args(argv)
    work = args.work
    corpus, index = work / f"corpus-{args.docs}", work / f"index-{args.docs}"
    if args.fresh or not (corpus / "synthetic.jsonl").is_file():
        synth = [PYTHON, "bench/synth.py", "--docs", str(args.docs), "--out", str(corpus)]
        subprocess.run(synth, cwd=ROOT, check=True)
    figures: dict[str, float | int] = {"documents": args.docs + 5, "added": args.add}
    if args.fresh or not (index / "manifest.json").is_file():
        figures["full_build_s"] = prebuilt(corpus, index, args.workers)
    grown, updated = work / "corpus-grown", work / "index-updated"
    for copy in (grown, updated):
        shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(corpus, grown)
    shutil.copytree(index, updated)
    shutil.copy(added_reports(work, args.add), grown / ADDED)
    figures["update_add_s"] = prebuilt(grown, updated, args.workers, "--update")
    (grown / ADDED).unlink()
    figures["update_remove_s"] = prebuilt(grown, updated, args.workers, "--update")
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
