"""Compare bm25s and tantivy as the passage index at 1,000, 10,000 and 100,000 documents.

Usage: ``.venv/bin/python bench/retrieval.py [--sizes 1000,10000,100000] [--workdir DIR]``
(needs ``pip install -r bench/requirements.txt`` for tantivy).

For each size it generates a synthetic corpus with ``bench/synth.py`` (the seed reports among
``N`` perturbed distractors) into ``WORKDIR/N/corpus``, loads it with
``service.engine.corpus.load_corpus`` and cuts it into passages (``split_passages``, one index unit
each). The indexed terms of a passage are the stems of ``service.engine.text.tokenize`` over its
folded text, written once as one whitespace-joined line a passage, so both engines index
exactly the same terms: bm25s gets the token lists, tantivy the joined line in a text field
with its ``whitespace`` tokenizer (plus a raw ``src`` field, the source id, for filtering,
and a fast ``pos`` field, the passage number). Both score with BM25, k1 = 1.2, b = 0.75.

Every step runs in a fresh subprocess so its time and memory are its own:

* ``prep``: generate, load, tokenise; the corpus load time and RSS are reported as context;
* ``build-bm25s``, ``build-tantivy``: index build time (reading the term file apart), peak
  RSS, on-disk size;
* ``query bm25s-mmap``, ``query bm25s-ram``, ``query tantivy``: load time from disk
  (``BM25.load(mmap=True)``, ``BM25.load()``, ``tantivy.Index.open``), RSS after loading
  (VmRSS, and the anonymous and file-backed pages the load added, from /proc/self/status),
  then top-40 latency p50/p99 (wall clock, and thread CPU time, which other load on the
  machine does not inflate) over all queries unfiltered, and over every third query filtered
  to the five seed reports and to a random 10% of the sources. bm25s is queried as
  service/retrieval/index.py does (``retrieve``, filtering with a ``weight_mask`` built by
  ``np.isin``
  over a per-passage array of source ids, or from per-source passage ranges) and with
  ``get_scores`` plus a top-k of our own over the allowed passages only. tantivy filters
  with a ``term_set_query`` on ``src`` as a zero-score ``Must`` clause.

The service's own top-k kernel (``service.retrieval.kernel.top_k``, compiled with numba, over the
bm25s index) is measured beside them: unfiltered, and filtered as ``service/retrieval/index.py``
filters (the sources' rows alone for up to ``FEW_DOCUMENTS`` sources, a mask beyond).

Queries: the claims of ``bench/claims.jsonl`` (the 60 dev claims), each with four
``synth.variants`` (names, figures, dates perturbed). The engines' agreement is overlap@40:
the share of tantivy's top 40 that is in bm25s' top 40, and tie-aware (in bm25s' set of
passages scoring at least its 40th score: near-duplicates tie).
It prints a table and one ``RESULT {json}`` line, and writes ``WORKDIR/results.json``.
Nothing is asserted; this is a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``service`` and ``synth`` importable
    sys.path.insert(0, str(ROOT))
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

CLAIMS = ROOT / "bench" / "claims.jsonl"
SIZES = (1_000, 10_000, 100_000)
TOP_K = 40
VARIANTS = 4  # perturbed variants per claim
K1, B = 1.2, 0.75  # tantivy's fixed BM25 parameters; bm25s is set to match
TANTIVY_HEAP = 1_500_000_000  # one indexing thread with a big heap: few segments
SAMPLE_SHARE = 0.10  # the "10% of sources" filter
# Filtered queries: every third query (100 of 300), which keeps the 100k run within minutes
# (bm25s' masked retrieve takes about a second a query there).
FILTERED_STEP = 3
MIB = 1024 * 1024


# --- measuring ------------------------------------------------------------------------------


def memory() -> dict[str, float]:
    """VmRSS, VmHWM (peak RSS), RssAnon and RssFile of this process, in MiB."""
    wanted = {"VmRSS", "VmHWM", "RssAnon", "RssFile"}
    found: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in wanted:
                found[key] = int(value.split()[0]) / 1024
    return found


def disk_size(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MIB


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """``fn()``, its wall time and its thread CPU time, in milliseconds."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return result, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def percentiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    array = np.asarray(values)
    return {
        "p50": round(float(np.percentile(array, 50)), 3),
        "p99": round(float(np.percentile(array, 99)), 3),
        "mean": round(float(array.mean()), 3),
    }


# --- the stages (each in its own subprocess) -------------------------------------------------


def stage_prep(folder: Path, size: int, seed: int) -> dict:
    import numpy as np
    import synth

    from service.engine.corpus import load_corpus
    from service.engine.text import fold, tokenize

    corpus_dir = folder / "corpus"
    started = time.perf_counter()
    shutil.rmtree(corpus_dir, ignore_errors=True)
    synth.generate(corpus_dir, size, seed)
    generate_s = time.perf_counter() - started
    before = memory()["VmRSS"]
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    load_s = time.perf_counter() - started
    corpus_rss = memory()["VmRSS"] - before
    started = time.perf_counter()
    vocabulary: set[str] = set()
    total_terms = 0
    with (folder / "terms.txt").open("w", encoding="utf-8") as out:
        for passage in corpus.passages:
            stems = [t.stem for t in tokenize(fold(passage.text))]
            vocabulary.update(stems)
            total_terms += len(stems)
            out.write(" ".join(stems) + "\n")
    tokenize_s = time.perf_counter() - started
    doc_ids = [d.id for d in corpus.documents]
    ordinal = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    passage_doc = np.fromiter((ordinal[p.doc_id] for p in corpus.passages), dtype=np.int32)
    np.save(folder / "passage_doc.npy", passage_doc)
    (folder / "doc_ids.json").write_text(json.dumps(doc_ids), encoding="utf-8")
    rng = random.Random(seed)
    seed_ids = [d for d in doc_ids if not d.startswith("syn-")]
    filters = {
        "5 seed sources": seed_ids,
        "10% of sources": sorted(rng.sample(doc_ids, max(1, int(len(doc_ids) * SAMPLE_SHARE)))),
    }
    (folder / "filters.json").write_text(json.dumps(filters), encoding="utf-8")
    return {
        "documents": len(doc_ids),
        "passages": len(corpus.passages),
        "jsonl_mb": round((corpus_dir / synth.OUTPUT_NAME).stat().st_size / MIB, 1),
        "generate_s": round(generate_s, 2),
        "load_corpus_s": round(load_s, 2),
        "load_corpus_rss_mb": round(corpus_rss),
        "tokenize_s": round(tokenize_s, 2),
        "vocabulary": len(vocabulary),
        "terms_per_passage": round(total_terms / max(1, len(corpus.passages)), 1),
    }


def _read_terms(folder: Path) -> list[list[str]]:
    with (folder / "terms.txt").open(encoding="utf-8") as lines:
        return [line.split() for line in lines]


def stage_build_bm25s(folder: Path) -> dict:
    import bm25s

    started = time.perf_counter()
    tokens = _read_terms(folder)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index(tokens, show_progress=False)
    index_s = time.perf_counter() - started
    target = folder / "bm25s"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    retriever.save(target, show_progress=False)
    save_s = time.perf_counter() - started
    return {
        "read_terms_s": round(read_s, 2),
        "build_s": round(index_s + save_s, 2),
        "index_s": round(index_s, 2),
        "save_s": round(save_s, 2),
        "peak_rss_mb": round(memory()["VmHWM"]),
        "disk_mb": round(disk_size(target), 1),
    }


def _tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    # Whitespace tokenizer over pre-stemmed terms: tantivy sees exactly bm25s' terms.
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("src", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("pos", fast=True)
    return builder.build()


def stage_build_tantivy(folder: Path) -> dict:
    import numpy as np
    import tantivy

    started = time.perf_counter()
    with (folder / "terms.txt").open(encoding="utf-8") as lines:
        terms = [line.rstrip("\n") for line in lines]
    doc_ids = json.loads((folder / "doc_ids.json").read_text(encoding="utf-8"))
    passage_doc = np.load(folder / "passage_doc.npy").tolist()
    read_s = time.perf_counter() - started
    target = folder / "tantivy"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    started = time.perf_counter()
    index = tantivy.Index(_tantivy_schema(), path=str(target))
    writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=1)
    for position, (line, doc) in enumerate(zip(terms, passage_doc, strict=True)):
        document = tantivy.Document()
        document.add_text("terms", line)
        document.add_text("src", doc_ids[doc])
        document.add_unsigned("pos", position)
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    build_s = time.perf_counter() - started
    index.reload()
    return {
        "read_terms_s": round(read_s, 2),
        "build_s": round(build_s, 2),
        "segments": index.searcher().num_segments,
        "peak_rss_mb": round(memory()["VmHWM"]),
        "disk_mb": round(disk_size(target), 1),
    }


Hits = list[tuple[int, float]]  # (passage position, score), best first


class Bm25sEngine:
    """bm25s as service/retrieval/index.py uses it (``retrieve``), and with a top-k of our own."""

    def __init__(self, folder: Path, mmap: bool) -> None:
        import bm25s
        import numpy as np

        self.np = np
        self.retriever = bm25s.BM25.load(folder / "bm25s", mmap=mmap, show_progress=False)

    def retrieve(self, terms: list[str], mask=None) -> Hits:
        docs, scores = self.retriever.retrieve(
            [terms], k=TOP_K, show_progress=False, n_threads=0, weight_mask=mask
        )
        # A zero score is no match (bm25s pads the top k; a mask zeroes the rest).
        return [(d, s) for d, s in zip(docs[0].tolist(), scores[0].tolist(), strict=True) if s > 0]

    def scores_topk(self, terms: list[str], allowed=None) -> Hits:
        """bm25s' scores, then top-k over the ``allowed`` positions only (all when None).

        ``retrieve`` selects with ``np.argpartition(scores, -k)``, which numpy makes slow on
        long, mostly-zero arrays; partitioning the negated scores at k is the same selection.
        """
        np = self.np
        scores = self.retriever.get_scores(terms)
        if allowed is not None:
            scores = scores[allowed]
        k = min(TOP_K, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        positions = (allowed[top] if allowed is not None else top).tolist()
        return [(d, s) for d, s in zip(positions, scores[top].tolist(), strict=True) if s > 0]


class TantivyEngine:
    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(folder / "tantivy"))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, terms: list[str], sources: list[str] | None = None) -> Hits:
        t = self.tantivy
        query = t.Query.boolean_query(
            [(t.Occur.Should, t.Query.term_query(self.schema, "terms", w, "freq")) for w in terms]
        )
        if sources is not None:
            allowed = t.Query.term_set_query(self.schema, "src", sources)
            # Must match, adds nothing to the score: the ranking stays BM25's.
            query = t.Query.boolean_query(
                [(t.Occur.Must, query), (t.Occur.Must, t.Query.const_score_query(allowed, 0.0))]
            )
        hits = self.searcher.search(query, TOP_K, count=False).hits
        positions = self.searcher.fast_field_values("pos", [address for _, address in hits])
        return [(p, s) for p, (s, _) in zip(positions, hits, strict=True)]


def _methods(engine, folder: Path, doc_ids: list[str], result: dict):
    """(unfiltered methods, filtered methods) of ``engine``: name -> search function."""
    import numpy as np

    if isinstance(engine, TantivyEngine):
        return {"search": engine.search}, {"term_set": engine.search}
    passage_doc = np.load(folder / "passage_doc.npy")
    before = memory()["RssAnon"]
    # service/retrieval/index.py keeps every passage's source id as a string array and masks
    # by isin.
    passage_src = np.array(doc_ids)[passage_doc]
    result["isin_array_mb"] = round(memory()["RssAnon"] - before)
    bounds = np.searchsorted(passage_doc, np.arange(len(doc_ids) + 1))
    ranges = {d: (int(bounds[i]), int(bounds[i + 1])) for i, d in enumerate(doc_ids)}

    def isin_mask(sources: list[str]):
        return np.isin(passage_src, sources).astype(float)

    def range_mask(sources: list[str]):
        mask = np.zeros(len(passage_doc), dtype=np.float32)
        for source in sources:
            start, end = ranges[source]
            mask[start:end] = 1.0
        return mask

    def allowed(sources: list[str]):
        return np.concatenate([np.arange(*ranges[s]) for s in sources])

    from service.retrieval.kernel import top_k

    vocabulary = engine.retriever.vocab_dict
    everything = np.ones(len(passage_doc), dtype=np.float32)

    def kernel(terms: list[str], mask=everything) -> Hits:
        ids = [vocabulary[t] for t in terms if t in vocabulary]
        rows, scores = top_k(engine.retriever.scores, ids, TOP_K, mask)
        return list(zip(rows, scores, strict=True))

    kernel([next(iter(vocabulary))])  # load the compiled kernel before timing
    unfiltered = {
        "retrieve": engine.retrieve,
        "scores+topk": engine.scores_topk,
        "service kernel": kernel,
    }
    from service.retrieval.index import FEW_DOCUMENTS
    from service.retrieval.kernel import top_k_in

    number = {doc_id: i for i, doc_id in enumerate(doc_ids)}

    def kernel_filtered(terms: list[str], sources: list[str]) -> Hits:
        """As service/retrieval/index.py filters: the sources' rows alone when they are few."""
        if len(sources) > FEW_DOCUMENTS:
            flags = np.zeros(len(doc_ids), dtype=bool)
            flags[[number[s] for s in sources]] = True
            return kernel(terms, flags[passage_doc].astype(np.float32))
        ids = [vocabulary[t] for t in terms if t in vocabulary]
        spans = sorted(ranges[s] for s in sources)
        starts = np.array([a for a, _ in spans], dtype=np.int64)
        ends = np.array([b for _, b in spans], dtype=np.int64)
        rows, scores = top_k_in(engine.retriever.scores, ids, TOP_K, starts, ends)
        return list(zip(rows, scores, strict=True))

    filtered = {
        "service kernel": kernel_filtered,
        "isin mask+retrieve": lambda terms, srcs: engine.retrieve(terms, isin_mask(srcs)),
        "range mask+retrieve": lambda terms, srcs: engine.retrieve(terms, range_mask(srcs)),
        "ranges+scores+topk": lambda terms, srcs: engine.scores_topk(terms, allowed(srcs)),
    }
    return unfiltered, filtered


def _latencies(search: Callable, queries: list[list[str]], *extra) -> tuple[dict, list]:
    walls, cpus, tops = [], [], []
    for terms in queries:
        hits, wall, cpu = timed(lambda t=terms: search(t, *extra))
        walls.append(wall)
        cpus.append(cpu)
        tops.append([p for p, _ in hits])
    return {"query_ms": percentiles(walls), "query_cpu_ms": percentiles(cpus)}, tops


def stage_query(folder: Path, engine_name: str, queries: list[list[str]]) -> dict:
    import numpy as np

    # The engine's module is imported before the baseline: its index is what is measured.
    __import__("tantivy" if engine_name == "tantivy" else "bm25s")
    baseline = memory()
    started = time.perf_counter()
    if engine_name == "tantivy":
        engine: Bm25sEngine | TantivyEngine = TantivyEngine(folder)
    else:
        engine = Bm25sEngine(folder, mmap=engine_name == "bm25s-mmap")
    load_s = time.perf_counter() - started
    loaded = memory()
    result: dict = {
        "load_s": round(load_s, 3),
        "rss_baseline_mb": round(baseline["VmRSS"]),
        "rss_after_load_mb": round(loaded["VmRSS"]),
        "index_rss_mb": round(loaded["VmRSS"] - baseline["VmRSS"]),
        "index_anon_mb": round(loaded["RssAnon"] - baseline["RssAnon"]),
        "index_file_mb": round(loaded["RssFile"] - baseline["RssFile"]),
    }
    doc_ids = json.loads((folder / "doc_ids.json").read_text(encoding="utf-8"))
    filters = json.loads((folder / "filters.json").read_text(encoding="utf-8"))
    unfiltered, filtered = _methods(engine, folder, doc_ids, result)
    first = next(iter(unfiltered.values()))
    _, first_ms, _ = timed(lambda: first(queries[0]))
    result["first_query_ms"] = round(first_ms, 2)
    saved: dict = {"top": {}, "filtered": {}}
    result["methods"] = {}
    for method, search in unfiltered.items():
        result["methods"][method], saved["top"][method] = _latencies(search, queries)
    passage_doc = np.load(folder / "passage_doc.npy")
    result["filtered"] = {}
    for filter_name, sources in filters.items():
        allowed = set(np.flatnonzero(np.isin(np.array(doc_ids), sources)).tolist())
        for method, search in filtered.items():
            figures, tops = _latencies(search, queries[::FILTERED_STEP], sources)
            outside = sum(int(passage_doc[p]) not in allowed for top in tops for p in top)
            key = f"{filter_name} / {method}"
            result["filtered"][key] = {"sources": len(sources), **figures, "outside": outside}
            saved["filtered"][key] = tops
    after = memory()
    result["rss_after_queries_mb"] = round(after["VmRSS"])
    result["peak_rss_mb"] = round(after["VmHWM"])
    if engine_name == "bm25s-ram":
        saved["ties"] = _ties(engine, queries, filters, doc_ids, passage_doc)
    (folder / f"results-{engine_name}.json").write_text(json.dumps(saved), encoding="utf-8")
    return result


def _ties(engine: Bm25sEngine, queries, filters, doc_ids, passage_doc) -> dict[str, list]:
    """Per query, every passage scoring at least the 40th best (near-duplicates tie)."""
    import numpy as np

    masks = {"unfiltered": None}
    for name, sources in filters.items():
        masks[name] = np.isin(passage_doc, np.flatnonzero(np.isin(np.array(doc_ids), sources)))
    ties: dict[str, list] = {}
    for name, mask in masks.items():
        ties[name] = []
        for terms in queries if mask is None else queries[::FILTERED_STEP]:
            scores = engine.retriever.get_scores(terms)
            if mask is not None:
                scores = scores * mask
            kth = np.partition(-scores, TOP_K - 1)[TOP_K - 1] * -1
            cut = max(kth, 1e-9) * (1 - 1e-5)  # float32 scores: a relative tolerance
            ties[name].append(np.flatnonzero(scores >= cut).tolist()[:50_000])
    return ties


# --- orchestration -------------------------------------------------------------------------


def load_claims() -> list[str]:
    """The claims of bench/claims.jsonl."""
    with CLAIMS.open(encoding="utf-8") as lines:
        return [json.loads(line)["claim"] for line in lines if line.strip()]


def build_queries(seed: int) -> tuple[list[str], list[list[str]]]:
    import synth

    from service.engine.text import fold, tokenize

    seeds = synth.load_seeds()
    texts: list[str] = []
    for number, claim in enumerate(load_claims()):
        texts.append(claim)
        texts.extend(synth.variants(claim, VARIANTS, seed=seed * 10_000 + number, seeds=seeds))
    # Each distinct stem once: both engines then score the same query.
    terms = [list(dict.fromkeys(t.stem for t in tokenize(fold(text)))) for text in texts]
    return texts, terms


def run_stage(args: list[str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"stage {' '.join(args)} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def overlap(reference: list[list[int]], other: list[list[int]]) -> dict[str, float]:
    """Share of ``other``'s hits found in ``reference`` (mean, min, identical share)."""
    shares = []
    for ref, mine in zip(reference, other, strict=True):
        if not mine and not ref:
            shares.append(1.0)
            continue
        shares.append(len(set(ref) & set(mine)) / max(len(mine), 1))
    return {
        "mean": round(sum(shares) / len(shares), 4),
        "min": round(min(shares), 4),
        "all_same": round(sum(s == 1.0 for s in shares) / len(shares), 4),
    }


def run_size(size: int, workdir: Path, seed: int, reuse: bool) -> dict:
    folder = workdir / str(size)
    folder.mkdir(parents=True, exist_ok=True)
    record: dict = {"size": size}
    for stage, args in (
        ("prep", ["prep", str(size), str(seed)]),
        ("build-bm25s", ["build-bm25s"]),
        ("build-tantivy", ["build-tantivy"]),
    ):
        cached = folder / f"{stage}.json"
        if reuse and cached.exists():
            record[stage] = json.loads(cached.read_text(encoding="utf-8"))
        else:
            print(f"[{size:,}] {stage} ...", file=sys.stderr, flush=True)
            record[stage] = run_stage(["--stage", args[0], "--folder", str(folder), *args[1:]])
            cached.write_text(json.dumps(record[stage]), encoding="utf-8")
    for engine in ("bm25s-mmap", "bm25s-ram", "tantivy"):
        print(f"[{size:,}] query {engine} ...", file=sys.stderr, flush=True)
        record[engine] = run_stage(["--stage", "query", "--folder", str(folder), engine])
        (folder / f"query-{engine}.json").write_text(json.dumps(record[engine]), "utf-8")
    ram = json.loads((folder / "results-bm25s-ram.json").read_text(encoding="utf-8"))
    tv = json.loads((folder / "results-tantivy.json").read_text(encoding="utf-8"))
    agreement = {
        "unfiltered": overlap(ram["top"]["retrieve"], tv["top"]["search"]),
        "unfiltered_tie_aware": overlap(ram["ties"]["unfiltered"], tv["top"]["search"]),
        "bm25s_topk_vs_retrieve_tie_aware": overlap(
            ram["ties"]["unfiltered"], ram["top"]["scores+topk"]
        ),
    }
    for name in ram["ties"]:
        if name != "unfiltered":
            tops = tv["filtered"][f"{name} / term_set"]
            agreement[f"{name}_tie_aware"] = overlap(ram["ties"][name], tops)
    record["overlap@40"] = agreement
    return record


def _fmt(value: float) -> str:
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


ENGINES = (
    ("bm25s-mmap", "build-bm25s"),
    ("bm25s-ram", "build-bm25s"),
    ("tantivy", "build-tantivy"),
)


def print_tables(records: list[dict]) -> None:
    header = (
        f"{'docs':>8} {'passages':>10} {'engine':<11} {'build s':>8} {'disk MB':>8} "
        f"{'load s':>7} {'RSS MB':>7} {'+anon':>6} {'+file':>6} {'1st q ms':>8} {'RSS end':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in records:
        for engine, build in ENGINES:
            q = r[engine]
            print(
                f"{r['size']:>8,} {r['prep']['passages']:>10,} {engine:<11} "
                f"{_fmt(r[build]['build_s']):>8} {_fmt(r[build]['disk_mb']):>8} "
                f"{q['load_s']:>7.3f} {q['rss_after_load_mb']:>7,} {q['index_anon_mb']:>6,} "
                f"{q['index_file_mb']:>6,} {_fmt(q['first_query_ms']):>8} "
                f"{q['rss_after_queries_mb']:>8,}"
            )
    print()
    header = (
        f"{'docs':>8} {'engine':<11} {'filter':<15} {'method':<20} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'cpu p50':>8} {'cpu p99':>8} {'outside':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in records:
        for engine, _ in ENGINES:
            rows = [("none", m, f) for m, f in r[engine]["methods"].items()]
            rows += [(*key.split(" / "), f) for key, f in r[engine]["filtered"].items()]
            for filter_name, method, f in rows:
                wall, cpu = f["query_ms"], f["query_cpu_ms"]
                print(
                    f"{r['size']:>8,} {engine:<11} {filter_name:<15} {method:<20} "
                    f"{_fmt(wall['p50']):>7} {_fmt(wall['p99']):>7} {_fmt(cpu['p50']):>8} "
                    f"{_fmt(cpu['p99']):>8} {f.get('outside', 0):>7}"
                )
    print()
    for r in records:
        p = r["prep"]
        print(
            f"{r['size']:,} docs: generate {p['generate_s']} s, load_corpus {p['load_corpus_s']} s"
            f" (+{p['load_corpus_rss_mb']:,} MB RSS), tokenise {p['tokenize_s']} s, "
            f"{p['vocabulary']:,} distinct terms, {p['terms_per_passage']} terms/passage; "
            f"build peak RSS bm25s {r['build-bm25s']['peak_rss_mb']:,} MB, tantivy "
            f"{r['build-tantivy']['peak_rss_mb']:,} MB ({r['build-tantivy']['segments']} "
            f"segment(s)); bm25s per-passage source-id array for isin "
            f"{r['bm25s-ram']['isin_array_mb']:,} MB"
        )
        for name, o in r["overlap@40"].items():
            print(f"    overlap@40 {name}: mean {o['mean']}, min {o['min']}, all {o['all_same']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-retrieval"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse corpora and indexes built by an earlier run"
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(_run_worker(args.stage, args.folder, args.rest)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    texts, terms = build_queries(args.seed)
    (args.workdir / "queries.json").write_text(
        json.dumps({"texts": texts, "terms": terms}), encoding="utf-8"
    )
    started = time.perf_counter()
    records = []
    for size in (int(s) for s in args.sizes.split(",")):
        records.append(run_size(size, args.workdir, args.seed, args.reuse))
    print_tables(records)
    summary = {
        "queries": len(terms),
        "top_k": TOP_K,
        "cpus": os.cpu_count(),
        "total_s": round(time.perf_counter() - started, 1),
        "versions": _versions(),
        "sizes": records,
    }
    (args.workdir / "results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print("RESULT " + json.dumps(summary))


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("bm25s", "tantivy", "numpy")}


def _run_worker(stage: str, folder: Path, rest: list[str]) -> dict:
    if stage == "prep":
        return stage_prep(folder, int(rest[0]), int(rest[1]))
    if stage == "build-bm25s":
        return stage_build_bm25s(folder)
    if stage == "build-tantivy":
        return stage_build_tantivy(folder)
    if stage == "query":
        queries = json.loads((folder.parent / "queries.json").read_text(encoding="utf-8"))
        return stage_query(folder, rest[0], queries["terms"])
    raise SystemExit(f"unknown stage {stage!r}")


if __name__ == "__main__":
    main()
