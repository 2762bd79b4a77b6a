"""The engine: claim in, result out (pure domain; no Flask, werkzeug or marshmallow).

It reaches retrieval only through :mod:`service.engine.search`'s protocol; tests/test_layout.py
enforces the rule.
"""
