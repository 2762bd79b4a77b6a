"""Load the reference corpus from a folder of news reports.

Documents come from ``.txt`` and ``.md`` files (one document each, the source id is the file
name without its extension; a ``.md`` file may open with ``key: value`` front matter between
``---`` lines) and from ``.jsonl`` files (one JSON object per non-blank line). An optional
``sources.json`` sidecar maps source ids to metadata. Any other entry (other extensions,
hidden files, subfolders) is ignored. Every problem raises :class:`CorpusError` whose message
names the file, and the line where there is one.

Only files inside the folder are read: a symbolic link is resolved, and one that leads
outside the folder stops the start (issue 13: a link to a file elsewhere was served as a
source). One document may hold at most ``MAX_DOCUMENT_CHARS`` characters, so one huge file
cannot take the memory of the start-up (its analysis costs far more than its text); a
``.jsonl`` file is read a line at a time. Reading logs its progress every
``PROGRESS_SECONDS`` for a corpus that takes that long.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from service.engine.model import Corpus, Document, PassageTable
from service.engine.segment import split_passages

logger = logging.getLogger(__name__)

METADATA_KEYS = ("title", "publisher", "published", "url", "language")
JSONL_KEYS = frozenset({"id", "text", "metadata", *METADATA_KEYS})
SIDECAR_NAME = "sources.json"
TEXT_SUFFIXES = frozenset({".txt", ".md"})
JSONL_SUFFIX = ".jsonl"
SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FRONT_MATTER_FENCE = "---"
NULL_WORDS = frozenset({"", "null", "~"})
# The longest document (characters): a long report is a few hundred thousand.
MAX_DOCUMENT_CHARS = 5_000_000
PROGRESS_SECONDS = 5.0


class CorpusError(Exception):
    """The corpus folder or one of its files is unusable; the message says where and why."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """A document read from the folder, with where it came from (for error messages)."""

    document: Document
    place: str


def load_corpus(path: str | os.PathLike[str]) -> Corpus:
    """Load every document under ``path`` into a :class:`Corpus` (documents sorted by id).

    Metadata precedence: a field given by the document itself (``.md`` front matter or the
    ``.jsonl`` record) wins; the ``sources.json`` sidecar only fills fields left empty.
    """
    documents = read_documents(path)
    spans = (split_passages(doc.text) for doc in documents)
    return Corpus(documents, PassageTable.from_spans(documents, spans))


def read_documents(path: str | os.PathLike[str]) -> tuple[Document, ...]:
    """The documents under ``path``, sorted by id and checked as :func:`load_corpus` checks
    them, not yet split into passages (an index update splits only the new ones)."""
    folder = Path(path)
    if not folder.exists():
        raise CorpusError(f"{folder}: corpus folder does not exist")
    if not folder.is_dir():
        raise CorpusError(f"{folder}: corpus path is not a directory")
    _refuse_links_out(folder)
    entries = _read_entries(folder)
    if not entries:
        raise CorpusError(f"{folder}: corpus folder holds no non-empty document")
    sidecar = _read_sidecar(folder / SIDECAR_NAME, set(entries))
    return tuple(
        _fill_gaps(entries[doc_id].document, sidecar.get(doc_id, {})) for doc_id in sorted(entries)
    )


def _refuse_links_out(folder: Path) -> None:
    """Refuse an entry of ``folder`` that resolves to a place outside it (a symbolic link)."""
    root = folder.resolve()
    try:
        files = sorted(folder.iterdir())
    except OSError as exc:
        raise CorpusError(f"{folder}: cannot list corpus folder: {exc.strerror or exc}") from exc
    for file in files:
        if not file.is_symlink():
            continue
        target = file.resolve()
        if not target.is_relative_to(root):
            raise CorpusError(
                f"{file}: a symbolic link to a place outside the corpus folder; only files "
                "inside it are read (copy the file in, or point FACTCHECK_CORPUS elsewhere)"
            )


def _read_entries(folder: Path) -> dict[str, _Entry]:
    """Read every document file of ``folder``, keyed by source id; refuse duplicate ids."""
    try:
        files = sorted(folder.iterdir())
    except OSError as exc:
        raise CorpusError(f"{folder}: cannot list corpus folder: {exc.strerror or exc}") from exc
    entries: dict[str, _Entry] = {}
    started = last = time.monotonic()
    for number, file in enumerate(files, 1):
        if time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            logger.info(
                "reading the corpus: %d of %d entries, %d documents, %.0f s",
                number - 1,
                len(files),
                len(entries),
                last - started,
            )
        for entry in _read_file(file):
            doc_id = entry.document.id
            if doc_id in entries:
                first = entries[doc_id].place
                raise CorpusError(f"duplicate source id {doc_id!r}: {first} and {entry.place}")
            entries[doc_id] = entry
    return entries


def _read_file(file: Path) -> list[_Entry]:
    """Read the documents of one folder entry (none for an ignored or empty file)."""
    suffix = file.suffix.lower()
    if file.name == SIDECAR_NAME:
        return []
    if file.name.startswith(".") or not file.is_file():
        logger.debug("ignoring %s (hidden or not a regular file)", file)
        return []
    if suffix == JSONL_SUFFIX:
        return _read_jsonl(file)
    if suffix in TEXT_SUFFIXES:
        entry = _read_text_document(file)
        return [entry] if entry else []
    logger.debug("ignoring %s (not a .txt, .md or .jsonl file)", file)
    return []


def _read_text(file: Path, *, limit: int | None = None) -> str:
    """Return the content of ``file`` decoded as strict UTF-8, without a leading BOM.

    A file over ``limit`` bytes is refused before it is read.
    """
    try:
        if limit is not None and file.stat().st_size > limit:
            raise CorpusError(_too_long(str(file)))
        data = file.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    return _decode(data, str(file)).removeprefix("\ufeff")


def _decode(data: bytes, where: str, offset: int = 0) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{where}: not valid UTF-8 (byte offset {offset + exc.start})") from exc


def _too_long(where: str) -> str:
    return (
        f"{where}: a document longer than {MAX_DOCUMENT_CHARS:,} characters; split it into "
        "several documents (its analysis would take the memory of the whole start-up)"
    )


def _read_text_document(file: Path) -> _Entry | None:
    """Read a ``.txt`` or ``.md`` document; None (with a warning) when it is empty."""
    doc_id = _check_id(file.stem, str(file))
    # UTF-8 takes at least a byte a character: a file over 4 bytes a character is too long.
    text = _read_text(file, limit=4 * MAX_DOCUMENT_CHARS)
    if len(text) > MAX_DOCUMENT_CHARS:
        raise CorpusError(_too_long(str(file)))
    meta: dict[str, Any] = {}
    if file.suffix.lower() == ".md":
        meta, text = _split_front_matter(text, str(file))
    if not text.strip():
        logger.warning("skipping empty document %s", file)
        return None
    document = Document(id=doc_id, text=text, path=str(file), **meta)
    return _Entry(document=document, place=str(file))


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Split ``---``-fenced ``key: value`` front matter off a Markdown text."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FRONT_MATTER_FENCE:
        return {}, text
    meta: dict[str, Any] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == FRONT_MATTER_FENCE:
            return meta, "".join(lines[number:])
        _parse_front_matter_line(line, meta, f"{where}:{number}")
    raise CorpusError(f"{where}:1: front matter is not closed by a '---' line")


def _parse_front_matter_line(line: str, meta: dict[str, Any], where: str) -> None:
    """Check the ``key: value`` pair of one front matter ``line`` and add it to ``meta``."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return
    key, colon, value = stripped.partition(":")
    key, value = key.strip(), value.strip()
    if not colon or not key:
        raise CorpusError(f"{where}: front matter line is not 'key: value': {stripped!r}")
    if key in meta:
        raise CorpusError(f"{where}: front matter key {key!r} given twice")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        parsed: str | None = value[1:-1]
    else:
        parsed = None if value.lower() in NULL_WORDS else value
    meta.update(_check_metadata({key: parsed}, where))


def _read_jsonl(file: Path) -> list[_Entry]:
    """Read one document per non-blank line of a ``.jsonl`` file."""
    entries: list[_Entry] = []
    for number, line in _jsonl_lines(file):
        if line.strip():
            where = f"{file}:{number}"
            if len(line) > MAX_DOCUMENT_CHARS * 2:  # the text, escaped, and its metadata
                raise CorpusError(_too_long(where))
            document = _jsonl_document(_parse_json(line, str(file), number), str(file), where)
            if len(document.text) > MAX_DOCUMENT_CHARS:
                raise CorpusError(_too_long(where))
            entries.append(_Entry(document=document, place=where))
    if not entries:
        logger.warning("skipping empty document file %s", file)
    return entries


def _jsonl_lines(file: Path) -> Iterator[tuple[int, str]]:
    """The numbered lines of a ``.jsonl`` file, read one at a time (strict UTF-8)."""
    try:
        with file.open("rb") as stream:
            offset = 0
            for number, raw in enumerate(stream, start=1):
                line = _decode(raw, str(file), offset)
                if number == 1:
                    line = line.removeprefix("\ufeff")
                offset += len(raw)
                yield number, line.rstrip("\n")
    except OSError as exc:
        raise CorpusError(f"{file}: cannot read: {exc.strerror or exc}") from exc


def _jsonl_document(record: Any, path: str, where: str) -> Document:
    """Build a :class:`Document` from one decoded ``.jsonl`` record."""
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: expected a JSON object, got {_json_type(record)}")
    unknown = sorted(set(record) - JSONL_KEYS)
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    doc_id = _check_id(_required_string(record, "id", where), where)
    text = _required_string(record, "text", where)
    nested = record.get("metadata", {})
    if not isinstance(nested, dict):
        raise CorpusError(f"{where}: 'metadata' must be an object, got {_json_type(nested)}")
    top = {key: record[key] for key in METADATA_KEYS if key in record}
    both = sorted(set(top) & set(nested))
    if both:
        raise CorpusError(f"{where}: {', '.join(both)} given both at top level and in metadata")
    meta = _check_metadata({**top, **nested}, where)
    return Document(id=doc_id, text=text, path=path, **meta)


def _required_string(record: dict[str, Any], key: str, where: str) -> str:
    """Return ``record[key]``, which must be a non-blank string."""
    value = record.get(key)
    if value is None:
        raise CorpusError(f"{where}: missing {key!r}")
    if not isinstance(value, str):
        raise CorpusError(f"{where}: {key!r} must be a string, got {_json_type(value)}")
    if not value.strip():
        raise CorpusError(f"{where}: {key!r} is empty")
    return value


def _read_sidecar(file: Path, known_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Read the optional ``sources.json`` sidecar: source id -> checked metadata."""
    if not file.is_file():
        return {}
    raw = _parse_json(_read_text(file), str(file), None)
    if not isinstance(raw, dict):
        raise CorpusError(f"{file}: expected a JSON object, got {_json_type(raw)}")
    sidecar: dict[str, dict[str, Any]] = {}
    for doc_id, meta in raw.items():
        where = f"{file}: {doc_id!r}"
        if doc_id not in known_ids:
            raise CorpusError(f"{where}: no document has this source id")
        if not isinstance(meta, dict):
            raise CorpusError(f"{where}: expected a JSON object, got {_json_type(meta)}")
        sidecar[doc_id] = _check_metadata(meta, where)
    return sidecar


def _check_metadata(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate optional metadata fields; return them with ``published`` as a date."""
    unknown = sorted(set(raw) - set(METADATA_KEYS))
    if unknown:
        raise CorpusError(f"{where}: unknown metadata key(s) {', '.join(map(repr, unknown))}")
    meta: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            meta[key] = None
            continue
        if not isinstance(value, str) or not value.strip():
            raise CorpusError(f"{where}: {key!r} must be a non-empty string or null")
        meta[key] = _parse_date(value, where) if key == "published" else value.strip()
    return meta


def _parse_date(value: str, where: str) -> date:
    """Parse an ISO ``YYYY-MM-DD`` date."""
    try:
        if ISO_DATE.fullmatch(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise CorpusError(f"{where}: 'published' must be a date YYYY-MM-DD, got {value!r}")


def _parse_json(text: str, file: str, line: int | None) -> Any:
    """Decode JSON (``text`` is line ``line`` of ``file``, or the whole file when None)."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        where = f"{file}:{line or exc.lineno}"
        raise CorpusError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from exc
    except ValueError as exc:  # a key given twice
        where = f"{file}:{line}" if line else file
        raise CorpusError(f"{where}: invalid JSON: {exc}") from exc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key given twice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} given twice")
        result[key] = value
    return result


def _check_id(doc_id: str, where: str) -> str:
    """Return ``doc_id`` if it is safe as a URL path segment."""
    if not SOURCE_ID.fullmatch(doc_id):
        raise CorpusError(
            f"{where}: source id {doc_id!r} must match [A-Za-z0-9][A-Za-z0-9._-]{{0,127}}"
        )
    return doc_id


def _json_type(value: Any) -> str:
    """Name the JSON type of a decoded ``value``."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _fill_gaps(document: Document, sidecar: dict[str, Any]) -> Document:
    """Fill the metadata fields ``document`` leaves empty from its sidecar entry."""
    gaps = {
        key: value
        for key, value in sidecar.items()
        if value is not None and getattr(document, key) is None
    }
    return replace(document, **gaps) if gaps else document
