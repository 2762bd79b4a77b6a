"""Retrieval: the BM25 index behind the engine's search protocol, its kernel, the prebuilt
format. Imports nothing from :mod:`service.web`."""
