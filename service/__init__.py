"""A fact-checking service over a reference corpus of news articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app (imported lazily so domain code never pulls in Flask)."""
    from service.web.app import create_app as build

    return build(config)


__all__ = ["create_app"]
