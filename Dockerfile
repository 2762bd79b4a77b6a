# Build stage: the runtime requirements in a virtualenv (wheels only; nothing is compiled).
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt \
    && /opt/venv/bin/pip uninstall -y pip setuptools

# Final stage: the virtualenv and the application files, run by an unprivileged user.
FROM python:3.11-slim

# Settings of docs/SETTINGS.md, with Config's defaults (tests/web/test_config.py compares
# them; FACTCHECK_WORKERS is left to the number of cores the container may use; keys and the
# rate limit are unset: see docs/SECURITY.md), except FACTCHECK_HOST: inside its container
# the service listens on every interface.
# The app's files are read-only, so numba keeps its compiled retrieval kernel under /tmp.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    FACTCHECK_HOST=0.0.0.0 \
    PORT=8000 \
    FACTCHECK_CORPUS=/app/seeds \
    FACTCHECK_MAX_BODY_BYTES=1048576 \
    FACTCHECK_LOG_LEVEL=INFO \
    FACTCHECK_LOG_FORMAT=json \
    FACTCHECK_THREADS=2 \
    FACTCHECK_TIMEOUT=30 \
    FACTCHECK_GRACEFUL_TIMEOUT=30 \
    FACTCHECK_KEEPALIVE=5 \
    FACTCHECK_READ_TIMEOUT=10 \
    FACTCHECK_TRUSTED_PROXIES=0 \
    FACTCHECK_PROXY_ADDRESSES=127.0.0.1/8,::1 \
    FACTCHECK_CORS_ORIGINS=* \
    FACTCHECK_RATE_LIMIT_STORAGE=local:// \
    FACTCHECK_MAX_REVIEW_CHARS=100000 \
    FACTCHECK_WORK_BUDGET_MS=5000 \
    FACTCHECK_MAX_CHECKS=1000 \
    FACTCHECK_RELOAD_WATCH=0 \
    FACTCHECK_AUTHOR_NAME="Fact-checking service" \
    NUMBA_CACHE_DIR=/tmp/numba-cache

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin factcheck

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# Owned by root and read-only for the service's user.
COPY service/ service/
COPY schemas/ schemas/
COPY seeds/ seeds/
COPY openapi.yaml gunicorn.conf.py ./

USER factcheck

EXPOSE 8000

# slim has no curl; python is there anyway.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"]

# gunicorn stops gracefully on SIGTERM (FACTCHECK_GRACEFUL_TIMEOUT).
STOPSIGNAL SIGTERM
CMD ["gunicorn", "service:create_app()"]
