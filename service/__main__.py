"""Development server: ``python -m service [--host 127.0.0.1] [--port 8000]``.

Production runs gunicorn instead (see ``gunicorn.conf.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from service.engine.corpus import CorpusError
from service.web.app import create_app
from service.web.config import ConfigError

EXIT_BAD_SETUP = 2


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read ``--host`` and ``--port`` (default: the ``PORT`` variable, else 8000)."""
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: %(default)s)")
    parser.add_argument("--port", type=int, help="port (default: $PORT, else 8000)")
    args = parser.parse_args(argv)
    if args.port is None:
        args.port = _env_port(parser)
    return args


def _env_port(parser: argparse.ArgumentParser) -> int:
    raw = os.environ.get("PORT", "8000")
    if not raw.isdigit():
        parser.error(f"PORT must be a port number, got {raw!r}")
    return int(raw)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the app and serve it until interrupted; a bad setup exits 2 with one line."""
    args = parse_args(argv)
    try:
        app = create_app()
    except (ConfigError, CorpusError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETUP
    app.run(host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
