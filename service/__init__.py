"""A fact-checking service over a reference corpus of news articles."""

from service.app import create_app

__all__ = ["create_app"]
