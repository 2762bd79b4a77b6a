"""The prebuilt index: built once, loaded instead of analysing, refused when stale or broken.

Its answers must be those of a corpus analysed at start-up, through the HTTP layer and
through the real gunicorn server; so must the answers of an index too large to analyse up
front (frames made when a passage is retrieved).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import requests
from flask import Flask
from serving import SEEDS, clean_env, free_port, gunicorn_server

from service.engine import vectors as vectors_module
from service.engine.corpus import CorpusError
from service.engine.vectors import QuantisedVectors
from service.retrieval import index as index_module
from service.retrieval import prebuilt

# One claim per kind of verdict and phenomenon: figures, revisions, swaps, negation, dates.
CLAIMS = [
    "Armenia said 105 of its soldiers had been killed.",
    "Armenia lost 135 soldiers.",
    "Azerbaijan said 71 of its servicemen were killed.",
    "Armenia accused Azerbaijan of shelling its territory.",
    "Azerbaijan accused Armenia of shelling its territory.",
    "Armenia says 49 of its soldiers were killed.",
    "Russia brokered a ceasefire on September 14.",
    "Pashinian asked Russia for military help.",
    "The clashes did not cause any deaths.",
    "The moon is made of cheese.",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prebuilt") / "index"
    figures = prebuilt.build(SEEDS, out)
    assert (figures["documents"], figures["passages"]) == (5, 115)
    return out


def _answer(body: dict) -> dict:
    """A check response without what differs between any two runs (its timing)."""
    return {k: v for k, v in body.items() if k != "took_ms"}


def _answers(app: Flask) -> list[dict]:
    client = app.test_client()
    return [_answer(client.post("/v1/check", json={"claim": c}).get_json()) for c in CLAIMS]


def test_prebuilt_answers_like_a_corpus_analysed_at_start_up(
    built: Path, app: Flask, make_app: Callable[..., Flask]
) -> None:
    loaded = make_app(FACTCHECK_INDEX=built)
    assert _answers(loaded) == _answers(app)


def test_frames_made_on_retrieval_answer_like_frames_made_up_front(
    built: Path, app: Flask, make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An index larger than the frames kept: nothing is analysed up front, and the frames
    # kept are fewer than one claim retrieves, so most are made again during the check.
    monkeypatch.setattr(index_module, "ITEMS_KEPT", 8)
    lazy = make_app(FACTCHECK_INDEX=built)
    assert lazy.extensions["factcheck"].index.item.cache_info().currsize == 0
    assert _answers(lazy) == _answers(app)


def test_sources_and_offsets_come_from_the_index(
    built: Path, app: Flask, make_app: Callable[..., Flask]
) -> None:
    loaded, analysed = make_app(FACTCHECK_INDEX=built).test_client(), app.test_client()
    listed = loaded.get("/v1/sources").get_json()
    assert listed == analysed.get("/v1/sources").get_json()
    for source in listed["sources"]:
        detail = loaded.get(f"/v1/sources/{source['id']}").get_json()
        assert detail == analysed.get(f"/v1/sources/{source['id']}").get_json()
        text = (SEEDS / f"{source['id']}.txt").read_text(encoding="utf-8")
        assert detail["text"] == text


def _copy(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return copy


def _edit_manifest(index: Path, **changes: object) -> None:
    manifest = json.loads((index / "manifest.json").read_text())
    (index / "manifest.json").write_text(json.dumps({**manifest, **changes}))


def _changed_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = sorted(corpus.glob("*.txt"))[0]
    first.write_text(first.read_text() + "\nA sentence added after the build.\n")
    return corpus


def _drop_a_vector(index: Path) -> None:
    np.save(index / prebuilt.VECTORS, np.load(index / prebuilt.VECTORS)[:-1])
    np.save(index / prebuilt.SCALES, np.load(index / prebuilt.SCALES)[:-1])


# (what is wrong, how to make it so, what the message must say)
BROKEN = [
    ("corpus changed", None, "built from other texts"),
    ("no manifest", lambda i: (i / "manifest.json").unlink(), "no manifest.json"),
    ("manifest not JSON", lambda i: (i / "manifest.json").write_text("{"), "unreadable manifest"),
    ("manifest a list", lambda i: (i / "manifest.json").write_text("[]"), "not a JSON object"),
    ("other format", lambda i: _edit_manifest(i, format=999), "index format 999"),
    ("state truncated", lambda i: (i / "state.pickle").write_bytes(b"\x80"), "unreadable index"),
    ("tables missing", lambda i: (i / "tables.npz").unlink(), "unreadable index"),
    ("bm25 missing", lambda i: shutil.rmtree(i / "bm25"), "unreadable index"),
    ("vectors missing", lambda i: (i / prebuilt.VECTORS).unlink(), "unreadable passage vectors"),
    ("a vector short", _drop_a_vector, "114 passage vectors for 115 passages"),
    (
        "vectors of another model",
        lambda i: _edit_manifest(i, embedding_fingerprint="0" * 64),
        "another embedding model",
    ),
]


@pytest.mark.parametrize(("fault", "breaks", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_an_unusable_index_stops_start_up_naming_it(
    built: Path,
    tmp_path: Path,
    make_app: Callable[..., Flask],
    fault: str,
    breaks: Callable[[Path], object] | None,
    message: str,
) -> None:
    index = _copy(built, tmp_path)
    corpus = SEEDS
    if breaks is None:
        corpus = _changed_corpus(tmp_path)
    else:
        breaks(index)
    with pytest.raises(CorpusError, match=message) as raised:
        make_app(FACTCHECK_INDEX=index, FACTCHECK_CORPUS=corpus)
    assert str(index) in str(raised.value)


@pytest.fixture(scope="module")
def built_large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built as a corpus too large to embed at start-up: the build embeds every
    passage itself, in two helper processes."""
    out = tmp_path_factory.mktemp("prebuilt-large") / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors_module, "EAGER_PASSAGES", 0)
        prebuilt.build(SEEDS, out, workers=2)
    return out


@pytest.mark.parametrize("which", ["small", "large"])
def test_the_index_holds_every_passages_vector(
    which: str, built: Path, built_large: Path, app: Flask
) -> None:
    """One vector per passage, in passage order, as the embedder makes it up to int8
    rounding: its cosine with the float32 vector, and its dot product with a claim's."""
    stored = prebuilt.load(built if which == "small" else built_large, SEEDS).vectors.matrix
    analysed = app.extensions["factcheck"].vectors
    exact = np.asarray(analysed.matrix)
    assert isinstance(stored, QuantisedVectors) and len(stored) == len(exact) == 115
    rows = stored[list(range(115))]
    cosines = (rows * exact).sum(axis=1) / np.linalg.norm(rows, axis=1)
    assert cosines.min() > 0.999
    claim = analysed.claim(CLAIMS[0])
    assert np.abs(rows @ claim - exact @ claim).max() < 0.005


def test_a_loaded_index_embeds_claims_only(
    built_large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks against a large index never wait for a passage to be embedded."""
    monkeypatch.setattr(vectors_module, "EAGER_PASSAGES", 0)
    checker = prebuilt.load(built_large, SEEDS)
    embedded: list[str] = []
    encode = checker.vectors._embedder.encode
    monkeypatch.setattr(
        checker.vectors._embedder, "encode", lambda texts: embedded.extend(texts) or encode(texts)
    )
    for claim in CLAIMS:
        checker.check(claim)
    assert set(embedded) == set(CLAIMS)


def test_a_missing_index_folder_stops_start_up(tmp_path: Path, make_app: Callable[..., Flask]):
    with pytest.raises(CorpusError, match=f"{tmp_path / 'none'}: no manifest.json"):
        make_app(FACTCHECK_INDEX=tmp_path / "none")


def test_an_empty_index_setting_means_none(make_app: Callable[..., Flask]) -> None:
    assert make_app(FACTCHECK_INDEX="").config["FACTCHECK"].index is None


def test_rebuilding_over_an_index_replaces_it(built: Path, tmp_path: Path) -> None:
    index = _copy(built, tmp_path)
    corpus = _changed_corpus(tmp_path)
    prebuilt.build(corpus, index)
    checker = prebuilt.load(index, corpus)
    assert len(checker.corpus.passages) == 116


def test_command_line_builds_and_reports(tmp_path: Path, project_root: Path) -> None:
    out = tmp_path / "index"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.retrieval.prebuilt",
            "--corpus",
            str(SEEDS),
            "--out",
            str(out),
        ],
        cwd=project_root,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "5 documents, 115 passages" in done.stderr
    assert json.loads((out / "manifest.json").read_text())["passages"] == 115


def test_command_line_refuses_a_bad_corpus_with_one_line(tmp_path: Path, project_root: Path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.retrieval.prebuilt",
            "--corpus",
            str(tmp_path),
            "--out",
            "x",
        ],
        cwd=project_root,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {tmp_path}: corpus folder holds no non-empty document"


@pytest.mark.server
def test_gunicorn_serves_a_prebuilt_index(built: Path, tmp_path: Path, app: Flask) -> None:
    expected = _answers(app)
    with gunicorn_server(tmp_path / "logs", FACTCHECK_INDEX=str(built)) as server:
        got = [
            _answer(requests.post(f"{server.base}/v1/check", json={"claim": c}, timeout=10).json())
            for c in CLAIMS
        ]
    assert got == expected


@pytest.mark.server
def test_gunicorn_refuses_a_stale_index_with_one_line(built: Path, tmp_path: Path) -> None:
    corpus = _changed_corpus(tmp_path)
    command = [sys.executable, "-m", "gunicorn", "service:create_app()"]
    command += ["--bind", f"127.0.0.1:{free_port()}"]
    env = clean_env(FACTCHECK_CORPUS=str(corpus), FACTCHECK_INDEX=str(built))
    done = subprocess.run(
        command, cwd=SEEDS.parent, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if str(built) in line]
    assert len(lines) == 1 and "built from other texts" in lines[0], done.stderr


# (claim, sources, as_of): filters by source and by date, alone and together.
FILTERED = [
    ("Armenia lost 135 soldiers.", ["000_92c0525162caa70a"], None),
    ("Armenia lost 135 soldiers.", ["001_ab97f7a066a3c258", "003_76dd1eb450d0be15"], None),
    ("Armenia said 105 of its soldiers had been killed.", None, "2022-09-14"),
    # 000 was published on the 16th: only 002 (the 14th) is left.
    (
        "Azerbaijan said 71 of its servicemen were killed.",
        ["000_92c0525162caa70a", "002_7f193b2dbdda609d"],
        "2022-09-15",
    ),
]


def test_filters_mask_alike_range_by_range_and_in_one_gather(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def answers() -> list[dict]:
        client = app.test_client()
        bodies = []
        for claim, sources, as_of in FILTERED:
            query = {"claim": claim, "sources": sources, "as_of": as_of}
            body = client.post("/v1/check", json={k: v for k, v in query.items() if v}).get_json()
            bodies.append(_answer(body))
        return bodies

    by_ranges = answers()
    monkeypatch.setattr(index_module, "FEW_DOCUMENTS", 0)
    assert answers() == by_ranges
    assert all(b["evidence"] for b in by_ranges)
    for (_, sources, as_of), body in zip(FILTERED, by_ranges, strict=True):
        assert not sources or {e["source"]["id"] for e in body["evidence"]} <= set(sources)
        assert not as_of or all(e["source"]["published"] <= as_of for e in body["evidence"])


def test_an_index_built_before_the_wings_still_loads(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index saved when the engine's modules sat directly in ``service/`` names their old
    modules in state.pickle; loading maps them to where they live now."""
    import pickle

    from service.engine import model

    index = _copy(built, tmp_path)
    with (index / prebuilt.STATE).open("rb") as handle:
        state = pickle.load(handle)
    # Pickle the documents as the old layout did: their class in module "service.model".
    monkeypatch.setattr(model.Document, "__module__", "service.model")
    monkeypatch.setitem(sys.modules, "service.model", model)
    with (index / prebuilt.STATE).open("wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"service.model" in (index / prebuilt.STATE).read_bytes()
    monkeypatch.undo()
    assert "service.model" not in sys.modules
    checker = prebuilt.load(index, SEEDS)
    assert type(checker.corpus.documents[0]) is model.Document


@pytest.mark.parametrize(
    ("edited", "stale"),
    [
        ("lexicon.json", True),
        ("quantities.json", True),
        ("entities.json", True),
        # The fitted decision is read when judging, never built into an index: refitting it
        # must not force a newsroom to rebuild (hours at 100,000 documents).
        ("decision.json", False),
    ],
)
def test_only_the_lexicon_makes_an_index_stale(tmp_path: Path, edited: str, stale: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for file in prebuilt.DATA_DIR.iterdir():
        if file.is_file():
            shutil.copy(file, data / file.name)
    before = (prebuilt.data_fingerprint(data), prebuilt.fingerprint(SEEDS, data))
    (data / edited).write_text((data / edited).read_text(encoding="utf-8") + "\n", "utf-8")
    after = (prebuilt.data_fingerprint(data), prebuilt.fingerprint(SEEDS, data))
    assert (before[0] != after[0], before[1] != after[1]) == (stale, stale)
