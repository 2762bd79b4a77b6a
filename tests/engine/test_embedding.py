"""The embedding model ships inside installed packages and runs with no network."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from service.engine.embedding import (
    DIMENSIONS,
    Embedder,
    EmbeddingModelError,
    _package_dir,
    model_files,
)


def test_model_loads_and_embeds_with_the_network_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = Embedder(*model_files())
    vectors = embedder.encode(
        [
            "Blinken offered condolences for the lives lost",
            "I offered my condolences for the loss of life in the recent fighting",
            "Demand on the grid reached a winter record",
        ]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_empty_input_gives_no_rows() -> None:
    assert Embedder(*model_files()).encode([]).shape == (0, DIMENSIONS)


def test_missing_package_is_named() -> None:
    with pytest.raises(EmbeddingModelError, match="no_such_model_package"):
        _package_dir("no_such_model_package")
