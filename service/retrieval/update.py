"""Update a prebuilt index in place: analyse only the reports added or changed.

``python -m service.retrieval.prebuilt --update --corpus DIR --out INDEX`` reads the corpus
(every file is read and checked, as at start-up: seconds), compares its documents with
those the index holds, analyses and embeds the added and changed ones alone (the costly
part: about 6 ms a passage) and merges them with the index's rows for the unchanged ones,
dropping the rows of removed and changed reports. The result is an ordinary index, written
file by file beside the old one (a server memory-mapping the old postings is never
disturbed).

The merge is exact for retrieval: a passage's BM25 keys are a set (each counts once), so
every posting's score is ``idf(term) / (1 + k1 * (1 - b + b * length / mean length))``,
recomputed here for the whole merged table from its document frequencies and lengths
(vectorised, about a second for 20,000 documents); the key weights are recomputed the same
way. What stays as it was learned is the analysis of the unchanged reports and the people,
words and names learned from them: people and names first written in a new report are
learned from it (added to what the index knew), but a removed report's are not forgotten.
A full build (without ``--update``) learns everything again from scratch: run it when the
lexicon data changes (an update refuses then), or now and then as a compaction.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import bm25s
import numpy as np

from service.engine.corpus import read_documents
from service.engine.embedding import DIMENSIONS
from service.engine.knowledge import Speller, corpus_names, harvest_people, vocabulary
from service.engine.lexicon import DATA_DIR
from service.engine.model import Corpus, Document, PassageTable
from service.engine.segment import split_passages
from service.engine.vectors import QuantisedVectors
from service.retrieval import prebuilt
from service.retrieval.index import PassageIndex, PassageTables


def update(corpus_dir: Path, out: Path, *, workers: int = 1) -> dict[str, float]:
    """Bring the index in ``out`` up to the corpus in ``corpus_dir``; figures (counts, s)."""
    started = time.perf_counter()
    manifest = prebuilt.manifest_of(out)
    if manifest.get("data_fingerprint") != prebuilt.data_fingerprint(DATA_DIR):
        raise prebuilt.PrebuiltIndexError(
            f"{out}: built with other lexicon data than {DATA_DIR} holds now (or by an older"
            f" version); rebuild it: python -m service.retrieval.prebuilt --corpus {corpus_dir}"
            f" --out {out}"
        )
    stamp = prebuilt.fingerprint(corpus_dir)
    documents = read_documents(corpus_dir)
    state, arrays, bm25 = prebuilt.read_parts(out)
    old = {doc.id: number for number, doc in enumerate(state["documents"])}
    kept = {d.id for d in documents if d.id in old and _same(state["documents"][old[d.id]], d)}
    fresh = tuple(d for d in documents if d.id not in kept)
    figures = {"added": len(fresh), "removed": len(old) - len(kept), "documents": len(documents)}
    read = time.perf_counter()
    if fresh or len(kept) < len(old):
        delta = _analyse(fresh, state, workers)
        fresh_vectors = (
            prebuilt.embed_passages(delta.corpus.passages, workers)
            if fresh
            else QuantisedVectors.of(np.zeros((0, DIMENSIONS), dtype=np.float32))
        )
        analysed = time.perf_counter()
        vectors = prebuilt.read_vectors(out, len(arrays["doc"]))
        bm25, arrays, source = _merge(documents, old, kept, state, arrays, bm25, delta)
        vectors = QuantisedVectors.join([vectors, fresh_vectors]).take(source)
        state["documents"] = documents
        prebuilt.write(out, bm25, arrays, state, vectors, stamp)
    else:  # the same documents (a file renamed, say): only the fingerprint changes
        analysed = read
        prebuilt.write_manifest(out, stamp, len(documents), len(arrays["doc"]))
    done = time.perf_counter()
    return figures | {
        "read_s": read - started,
        "analyse_s": analysed - read,
        "merge_s": done - analysed,
        "passages": len(arrays["doc"]),
    }


def summary(out: Path, figures: dict[str, float]) -> str:
    """One line on what an update did, and how long it took."""
    return (
        f"{out}: {figures['documents']:,} documents, {figures['passages']:,} passages;"
        f" {figures['added']:,} added or changed, {figures['removed']:,} removed or changed;"
        f" read {figures['read_s']:.1f} s, analysed {figures['analyse_s']:.1f} s,"
        f" merged and saved {figures['merge_s']:.1f} s"
    )


def _same(old: Document, new: Document) -> bool:
    """The same document, wherever its file is now (a copy of the corpus elsewhere)."""
    return replace(old, path=new.path) == new


def _analyse(fresh: tuple[Document, ...], state: dict, workers: int) -> Any:
    """Index the new documents alone, learning their people, words and names first."""
    if not fresh:  # only removals: an empty index of nothing (bm25s cannot make one)
        nothing = np.zeros(0, dtype=np.int32)
        first = np.zeros(1, dtype=np.int64)
        return SimpleNamespace(
            corpus=SimpleNamespace(
                documents=(), passages=SimpleNamespace(first=first, start=nothing, end=nothing)
            ),
            tables=PassageTables((), nothing, nothing, first, nothing),
            bm25=SimpleNamespace(
                vocab_dict={}, scores={"indptr": first, "indices": nothing, "num_docs": 0}
            ),
        )
    lexicon = state["lexicon"]
    texts = [doc.text for doc in fresh]
    harvest_people(texts, lexicon, lexicon.titles)
    state["speller"] = Speller(state["speller"].known | vocabulary(texts))
    state["corpus_names"] = state["corpus_names"] | corpus_names(texts, lexicon.stopwords)
    passages = PassageTable.from_spans(fresh, (split_passages(doc.text) for doc in fresh))
    return PassageIndex.build(Corpus(fresh, passages), lexicon, workers=workers)


def _gather(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, vectorised."""
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return (offsets + np.arange(int(lengths.sum()))).astype(np.int64)


def _merge(documents, old, kept, state, arrays, bm25, delta: Any):
    """The merged postings and tables: the kept rows of the index and the new ones, in the
    order of ``documents`` (by id); and where each merged row comes from. A row of the old
    index is numbered as it was, a new one after them (``base_rows + its row``)."""
    base_rows = len(arrays["doc"])
    base_first = np.searchsorted(arrays["doc"], np.arange(len(old) + 1)).astype(np.int64)
    delta_first = np.asarray(delta.corpus.passages.first, dtype=np.int64)
    delta_number = {doc.id: n for n, doc in enumerate(delta.corpus.documents)}
    starts, lengths = [], []
    for doc in documents:
        if doc.id in kept:
            first, offset, number = base_first, 0, old[doc.id]
        else:
            first, offset, number = delta_first, base_rows, delta_number[doc.id]
        starts.append(offset + first[number])
        lengths.append(first[number + 1] - first[number])
    counts = np.asarray(lengths, dtype=np.int64)
    source = _gather(np.asarray(starts, dtype=np.int64), counts)
    names, tables = _merge_tables(state["names"], arrays, delta, source)
    passages = delta.corpus.passages
    tables["doc"] = np.repeat(np.arange(len(documents)), counts).astype(arrays["doc"].dtype)
    tables["start"] = np.concatenate([arrays["start"], passages.start])[source]
    tables["end"] = np.concatenate([arrays["end"], passages.end])[source]
    merged, state["idf"] = _merge_postings(bm25, delta.bm25, source, base_rows)
    state["names"] = names
    return merged, tables, source


def _merge_tables(names, arrays, delta: Any, source: np.ndarray):
    """Who each row's "he" and "its" are and the entities it names, for the merged rows."""
    merged = dict.fromkeys(names)
    merged.update(dict.fromkeys(delta.tables.names))
    position = {name: i for i, name in enumerate(merged)}
    remap = np.array([position[n] for n in delta.tables.names] + [-1], dtype=np.int32)
    person = np.concatenate([arrays["person"], remap[delta.tables.person]])[source]
    party = np.concatenate([arrays["party"], remap[delta.tables.party]])[source]
    bounds = np.concatenate(
        [arrays["entity_first"][:-1], delta.tables.entity_first + len(arrays["entity_keys"])]
    )  # where each row's entities start, then where the last one's end
    first, last = bounds[:-1], bounds[1:]
    keys = np.concatenate([arrays["entity_keys"], remap[delta.tables.entity_keys]])
    counts = (last - first)[source]
    entity_first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    gather = _gather(first[source], counts)
    tables = {
        "person": person.astype(np.int32),
        "party": party.astype(np.int32),
        "entity_first": entity_first,
        "entity_keys": keys[gather].astype(np.int32),
    }
    return tuple(merged), tables


def _coo(bm25: Any) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every posting of a bm25s index."""
    indptr = np.asarray(bm25.scores["indptr"], dtype=np.int64)
    columns = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    return np.asarray(bm25.scores["indices"], dtype=np.int64), columns


def _merge_postings(base: bm25s.BM25, delta: Any, source: np.ndarray, base_rows: int):
    """One bm25s index over the merged rows, scored as a build of them would score it."""
    if (base.method, base.idf_method) != ("lucene", "lucene"):
        raise prebuilt.PrebuiltIndexError(f"BM25 variant {base.method!r}: rebuild the index")
    vocab = dict(base.vocab_dict)
    for term in delta.vocab_dict:
        vocab.setdefault(term, len(vocab))
    to_merged = np.empty(len(delta.vocab_dict), dtype=np.int64)
    for term, column in delta.vocab_dict.items():
        to_merged[column] = vocab[term]
    base_row, base_col = _coo(base)
    delta_row, delta_col = _coo(delta)
    where = np.full(base_rows + delta.scores["num_docs"], -1, dtype=np.int64)
    where[source] = np.arange(len(source))
    rows = where[np.concatenate([base_row, delta_row + base_rows])]
    cols = np.concatenate([base_col, to_merged[delta_col]])
    rows, cols = rows[rows >= 0], cols[rows >= 0]
    n, size = max(len(source), 1), len(vocab)
    length = np.bincount(rows, minlength=len(source)).astype(np.float64)
    df = np.bincount(cols, minlength=size).astype(np.float64)
    idf = np.log(1 + (len(source) - df + 0.5) / (df + 0.5))
    tfc = 1 / (1 + base.k1 * (1 - base.b + base.b * length / max(length.mean(), 1e-9)))
    order = np.lexsort((rows, cols))
    merged = bm25s.BM25(k1=base.k1, b=base.b, method=base.method, idf_method=base.idf_method)
    merged.scores = {
        "data": (idf[cols] * tfc[rows])[order].astype(base.scores["data"].dtype),
        "indices": rows[order].astype(base.scores["indices"].dtype),
        "indptr": np.concatenate([[0], np.cumsum(df)]).astype(base.scores["indptr"].dtype),
        "num_docs": len(source),
    }
    merged.vocab_dict = vocab
    merged.nonoccurrence_array = None  # only BM25L and BM25+ have one
    weights = {t: math.log(1 + n / df[c]) for t, c in vocab.items() if t and df[c] > 0}
    return merged, weights
