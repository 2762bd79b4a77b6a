FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY service/ service/
COPY schemas/ schemas/
COPY seeds/ seeds/
COPY openapi.yaml gunicorn.conf.py ./

RUN useradd --system --no-create-home --shell /usr/sbin/nologin factcheck
USER factcheck

EXPOSE 8000

# slim has no curl; python is there anyway.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"]

CMD ["gunicorn", "service:create_app()"]
