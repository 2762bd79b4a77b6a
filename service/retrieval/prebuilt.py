"""A prebuilt index: a corpus analysed once, saved to a folder, and loaded in seconds.

Analysing a passage takes about 0.2 ms, so a corpus of millions of passages cannot be
analysed at every start. ``python -m service.retrieval.prebuilt --corpus DIR --out INDEX`` does it
once; a server started with ``FACTCHECK_INDEX=INDEX`` then loads the result instead of
analysing the corpus. The folder holds:

* ``manifest.json``: the format, the fingerprint of the corpus and the lexicon data it was
  built from, and its size. A fingerprint that no longer matches stops start-up: an index
  of other texts would point at the wrong offsets.
* ``bm25/``: the bm25s index, memory-mapped when loaded (only the postings a claim
  needs are read from disk).
* ``tables.npz``: passage offsets and what lazy analysis needs of each passage.
* ``vectors.npy``, ``vector_scales.npy``: every passage's sentence vector (int8, a scale per
  row), memory-mapped when loaded, so no check waits for a passage to be embedded. The
  manifest names the embedding model they came from; another model stops start-up.
* ``state.pickle``: the documents, the lexicon with the people learned from the corpus,
  the speller's vocabulary and the key weights. Pickle runs code when loaded, so load only
  an index you built.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from service.engine.checker import FactChecker
from service.engine.corpus import CorpusError, load_corpus
from service.engine.embedding import model_fingerprint
from service.engine.lexicon import DATA_DIR, LEXICON_FILES
from service.engine.model import Corpus, PassageTable
from service.engine.vectors import QuantisedVectors, embed_all
from service.retrieval.index import PassageIndex, PassageTables

# 3: the passages' sentence vectors are part of the index.
FORMAT = 3
MANIFEST = "manifest.json"
BM25_DIR = "bm25"
TABLES = "tables.npz"
STATE = "state.pickle"
VECTORS, SCALES = "vectors.npy", "vector_scales.npy"
ARRAYS = ("doc", "start", "end", "person", "party", "entity_first", "entity_keys")


# Where the classes a state.pickle names lived before the service was split into wings: an
# index built then still loads (its classes are the same, only their modules moved).
_ENGINE = ("model", "lexicon", "knowledge", "dates", "numbers", "text", "analysis", "corpus")
MOVED = {f"service.{name}": f"service.engine.{name}" for name in _ENGINE}


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(MOVED.get(module, module), name)


class PrebuiltIndexError(CorpusError):
    """A prebuilt index that cannot be used; the message names the folder and the fault.

    A kind of corpus error: either way the server has nothing to check against and stops.
    """


def fingerprint(corpus_dir: Path, data_dir: Path = DATA_DIR) -> str:
    """SHA-256 of every file the corpus loader and the lexicon read, names and contents."""
    return _digest(_files(Path(corpus_dir)) + _lexicon_files(Path(data_dir)))


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """SHA-256 of the lexicon's files alone: an update needs the lexicon unchanged. The
    fitted decision and the stance model beside them are left out: the index holds nothing
    made with them, so a refitted decision needs no rebuild."""
    return _digest(_lexicon_files(Path(data_dir)))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def _lexicon_files(data_dir: Path) -> list[Path]:
    return [data_dir / name for name in LEXICON_FILES]


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for file in files:
        digest.update(f"{file.parent.name}/{file.name}\n".encode())
        with file.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def save(
    checker: FactChecker, out: Path, corpus_fingerprint: str, vectors: QuantisedVectors
) -> None:
    """Write ``checker``'s corpus, lexicon and index, and the passages' ``vectors``, to the
    folder ``out``."""
    index, passages = checker.index, checker.corpus.passages
    tables = index.tables
    arrays = {
        "doc": passages.doc,
        "start": passages.start,
        "end": passages.end,
        "person": tables.person,
        "party": tables.party,
        "entity_first": tables.entity_first,
        "entity_keys": tables.entity_keys,
    }
    state = {
        "documents": checker.corpus.documents,
        "lexicon": checker.lexicon,
        "speller": checker.speller,
        "idf": index.idf,
        "names": tables.names,
        "corpus_names": checker.names,
    }
    write(out, index.bm25, arrays, state, vectors, corpus_fingerprint)


def write(
    out: Path,
    bm25: bm25s.BM25,
    arrays: dict[str, np.ndarray],
    state: dict,
    vectors: QuantisedVectors,
    stamp: str,
) -> None:
    """Write an index's parts to ``out``, the manifest last.

    Each file is written aside and then renamed over the old one: a server that has the
    old postings memory-mapped keeps reading them intact until it reloads.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)  # a rebuild in progress is not an index
    aside = Path(tempfile.mkdtemp(prefix=".writing-", dir=out))
    try:
        bm25.save(str(aside / BM25_DIR))
        np.savez(aside / TABLES, **arrays)
        np.save(aside / VECTORS, vectors.codes)
        np.save(aside / SCALES, vectors.scales)
        with (aside / STATE).open("wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        for file in sorted(p for p in aside.rglob("*") if p.is_file()):
            target = out / file.relative_to(aside)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, target)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    # Written last: a build that stopped half-way leaves no manifest, so it is never loaded.
    write_manifest(out, stamp, len(state["documents"]), len(arrays["doc"]))


def write_manifest(out: Path, stamp: str, documents: int, passages: int) -> None:
    """The manifest: the format, the fingerprints of the corpus and lexicon, the size."""
    manifest = {
        "format": FORMAT,
        "fingerprint": stamp,
        "data_fingerprint": data_fingerprint(),
        "embedding_fingerprint": model_fingerprint(),
        "documents": documents,
        "passages": passages,
    }
    partial = out / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, out / MANIFEST)


def load(index_dir: Path, corpus_dir: Path, data_dir: Path = DATA_DIR) -> FactChecker:
    """The checker saved in ``index_dir``, after checking it was built from ``corpus_dir``."""
    manifest = manifest_of(index_dir)
    try:
        current = fingerprint(corpus_dir, data_dir)
    except OSError as exc:
        raise CorpusError(f"{corpus_dir}: cannot read corpus: {exc}") from exc
    if manifest.get("fingerprint") != current:
        raise PrebuiltIndexError(
            f"{index_dir}: built from other texts than {corpus_dir} and {data_dir} hold now;"
            " update it with: python -m service.retrieval.prebuilt --update"
            f" --corpus {corpus_dir} --out {index_dir}"
        )
    state, arrays, bm25 = read_parts(index_dir)
    vectors = read_vectors(index_dir, len(arrays["doc"]))
    documents = state["documents"]
    passages = PassageTable(documents, arrays["doc"], arrays["start"], arrays["end"])
    corpus = Corpus(documents, passages)
    tables = PassageTables(
        names=state["names"],
        person=arrays["person"],
        party=arrays["party"],
        entity_first=arrays["entity_first"],
        entity_keys=arrays["entity_keys"],
    )
    lexicon = state["lexicon"]
    index = PassageIndex(corpus, lexicon, bm25=bm25, idf=state["idf"], tables=tables)
    return FactChecker(
        corpus,
        lexicon=lexicon,
        index=index,
        speller=state["speller"],
        names=state["corpus_names"],
        vectors=vectors,
    )


def read_parts(index_dir: Path) -> tuple[dict, dict[str, np.ndarray], bm25s.BM25]:
    """The state, the tables and the (memory-mapped) postings of the index in ``index_dir``."""
    try:
        with (index_dir / STATE).open("rb") as handle:
            state = _StateUnpickler(handle).load()
        with np.load(index_dir / TABLES) as npz:  # read every array now; the file is closed
            arrays = {name: npz[name] for name in ARRAYS}
        bm25 = bm25s.BM25.load(str(index_dir / BM25_DIR), mmap=True)
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError) as exc:
        raise PrebuiltIndexError(f"{index_dir}: unreadable index: {exc}") from exc
    return state, arrays, bm25


def read_vectors(index_dir: Path, passages: int) -> QuantisedVectors:
    """The passages' vectors of the index in ``index_dir`` (the codes memory-mapped: the
    workers share one copy, read from disk as claims need them)."""
    try:
        codes = np.load(index_dir / VECTORS, mmap_mode="r")
        vectors = QuantisedVectors(codes, np.load(index_dir / SCALES))
    except (OSError, ValueError) as exc:
        raise PrebuiltIndexError(f"{index_dir}: unreadable passage vectors: {exc}") from exc
    if len(vectors) != passages:
        raise PrebuiltIndexError(
            f"{index_dir}: {len(vectors)} passage vectors for {passages} passages; rebuild it"
        )
    return vectors


def manifest_of(index_dir: Path) -> dict:
    """The manifest of ``index_dir``, of the format this service reads, its vectors made by
    the embedding model installed."""
    manifest = _read_manifest(index_dir)
    if manifest.get("format") != FORMAT:
        raise PrebuiltIndexError(
            f"{index_dir}: index format {manifest.get('format')!r}, this service reads {FORMAT};"
            " rebuild it"
        )
    if manifest.get("embedding_fingerprint") != model_fingerprint():
        raise PrebuiltIndexError(
            f"{index_dir}: its passage vectors come from another embedding model than the one"
            " installed; rebuild it"
        )
    return manifest


def _read_manifest(index_dir: Path) -> dict:
    file = index_dir / MANIFEST
    if not file.is_file():
        raise PrebuiltIndexError(
            f"{index_dir}: no {MANIFEST} (not a prebuilt index, or its build did not finish)"
        )
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PrebuiltIndexError(f"{file}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict):
        raise PrebuiltIndexError(f"{file}: the manifest is not a JSON object")
    return manifest


def build(
    corpus_dir: Path, out: Path, data_dir: Path = DATA_DIR, *, workers: int = 1
) -> dict[str, float]:
    """Analyse the corpus in ``corpus_dir`` (in ``workers`` processes) and save the index
    to ``out``; timings in s."""
    started = time.perf_counter()
    stamp = fingerprint(corpus_dir, data_dir)
    corpus = load_corpus(corpus_dir)
    loaded = time.perf_counter()
    checker = FactChecker.learn(
        corpus, build=PassageIndex.build, data_dir=data_dir, workers=workers
    )
    analysed = time.perf_counter()
    if checker.vectors.matrix is not None:  # a small corpus, embedded while it was analysed
        vectors = QuantisedVectors.of(np.asarray(checker.vectors.matrix))
    else:
        vectors = embed_passages(corpus.passages, workers)
    embedded = time.perf_counter()
    save(checker, out, stamp, vectors)
    return {
        "documents": len(corpus.documents),
        "passages": len(corpus.passages),
        "load_s": loaded - started,
        "analyse_s": analysed - loaded,
        "embed_s": embedded - analysed,
        "save_s": time.perf_counter() - embedded,
    }


def embed_passages(passages: PassageTable, workers: int) -> QuantisedVectors:
    """Every passage's vector, in ``workers`` processes."""
    print(f"embedding {len(passages):,} passages in {workers} processes…", file=sys.stderr)
    return embed_all([passages[i].text for i in range(len(passages))], workers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.retrieval.prebuilt",
        description="Analyse a corpus once and save the index for FACTCHECK_INDEX.",
    )
    parser.add_argument("--corpus", type=Path, required=True, help="corpus folder")
    parser.add_argument("--out", type=Path, required=True, help="index folder to write")
    parser.add_argument(
        "--update",
        action="store_true",
        help="update the index in --out: analyse only the documents added or changed since",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that analyse and embed passages (default: one per core, %(default)s here)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        if args.update:
            from service.retrieval.update import summary, update  # it imports this module

            said = summary(args.out, update(args.corpus, args.out, workers=args.workers))
        else:
            figures = build(args.corpus, args.out, workers=args.workers)
            said = (
                f"{args.out}: {figures['documents']:,} documents, {figures['passages']:,}"
                f" passages; read {figures['load_s']:.1f} s, analysed"
                f" {figures['analyse_s']:.1f} s, embedded {figures['embed_s']:.1f} s, saved"
                f" {figures['save_s']:.1f} s"
            )
    except (CorpusError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(said, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
