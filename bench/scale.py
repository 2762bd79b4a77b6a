"""Scale series: synthetic corpora of growing size, their prebuilt index, load time, memory
and check latency, and a plot of latency and memory against corpus size.

Usage: ``.venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--work /tmp/scale]
[--workers 2] [--plot docs/scale.png] [--json bench/results/scale.json]``

For each size N: ``bench/synth.py`` writes N synthetic documents plus the five seed reports
into ``WORK/corpus-N``; ``python -m service.retrieval.prebuilt`` builds ``WORK/index-N`` from them
(timed, with its peak memory); then a fresh process (``bench/latency.py --index``) loads
the index (timed: this is the server's start-up) and checks the dev claims and their
variants, reporting first, p50 and p99 latency and resident memory. Each step runs in its
own process so memory figures belong to it alone. An existing corpus or index of the same
size is reused unless ``--fresh`` is given. Nothing is asserted; figures are printed, saved
as JSON and plotted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(command: list[str]) -> str:
    """Run ``command`` from the project root; its stdout (stderr is passed through)."""
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return done.stdout


def child_peak_mb() -> float:
    """Largest peak RSS of any finished child so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(size: int, work: Path, workers: int, variants: int, fresh: bool) -> dict:
    corpus, index = work / f"corpus-{size}", work / f"index-{size}"
    if fresh or not (corpus / "synthetic.jsonl").is_file():
        run([PYTHON, "bench/synth.py", "--docs", str(size), "--out", str(corpus)])
    # The build's figures are kept beside the index, so a rerun that reuses it reports them.
    build_figures = work / f"build-{size}.json"
    if fresh or not (index / "manifest.json").is_file() or not build_figures.is_file():
        before = child_peak_mb()
        started = time.perf_counter()
        command = [
            PYTHON,
            "-m",
            "service.retrieval.prebuilt",
            "--corpus",
            str(corpus),
            "--out",
            str(index),
        ]
        run([*command, "--workers", str(workers)])
        seconds = time.perf_counter() - started
        # Peak of the building process itself (its worker processes are smaller and apart);
        # unknown if an earlier child of this run already peaked higher.
        after = child_peak_mb()
        build = {
            "build_s": round(seconds, 1),
            "build_workers": workers,
            "build_peak_rss_mb": round(after, 1) if after > before else None,
        }
        build_figures.write_text(json.dumps(build) + "\n")
    build = json.loads(build_figures.read_text())
    output = run(
        [PYTHON, "bench/latency.py", "--corpus", str(corpus), "--index", str(index),
         "--variants", str(variants)]
    )  # fmt: skip
    figures = json.loads(output.strip().splitlines()[-1])
    disk = sum(f.stat().st_size for f in index.rglob("*") if f.is_file())
    return {"size": size, **build, "index_mb": round(disk / 2**20, 1), **figures}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["documents"] for r in results]
    fig, (latency, memory, start) = plt.subplots(1, 3, figsize=(14, 4.2))
    latency.plot(sizes, [r["p50_ms"] for r in results], "o-", label="p50")
    latency.plot(sizes, [r["p99_ms"] for r in results], "s-", label="p99")
    latency.axhline(50, color="grey", linestyle=":", label="p99 target (50 ms)")
    latency.set(xscale="log", xlabel="documents", ylabel="ms", title="Check latency, in process")
    latency.legend()
    memory.plot(sizes, [r["peak_rss_mb"] for r in results], "o-", label="serving process, peak")
    memory.axhline(2048, color="grey", linestyle=":", label="target (2 GB)")
    memory.set(xscale="log", xlabel="documents", ylabel="MB", title="Resident memory (RSS)")
    memory.legend()
    start.plot(sizes, [r["ready_s"] for r in results], "o-", label="prebuilt index loaded")
    start.axhline(5, color="grey", linestyle=":", label="target (5 s)")
    start.set(xscale="log", xlabel="documents", ylabel="s", title="Start-up")
    start.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/factcheck-scale"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    parser.add_argument("--no-plot", action="store_true", help="skip the plot (no matplotlib)")
    parser.add_argument("--fresh", action="store_true", help="regenerate corpora and indexes")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        result = measure(size, args.work, args.workers, args.variants, args.fresh)
        results.append(result)
        print(
            f"{result['documents']:>7,} docs {result['passages']:>9,} passages | build"
            f" {result['build_s']} s | index {result['index_mb']} MB | load {result['ready_s']} s"
            f" | first {result['first_ms']} ms p50 {result['p50_ms']} ms p99 {result['p99_ms']}"
            f" ms | RSS {result['rss_mb']} MB peak {result['peak_rss_mb']} MB",
            flush=True,
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_plot:
        plot(results, args.plot)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
