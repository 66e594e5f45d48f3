# The store server for production: `docker compose up -d` with compose.yaml (PostgreSQL beside it).
# Runs as an unprivileged user; the health check asks GET /api/health, which also checks the database.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/shopflow && /opt/shopflow/bin/pip install .

FROM python:3.11-slim-bookworm
# pg_dump/pg_restore 15 (the server's major version in compose.yaml) for `shopflow backup` and `restore`;
# libgomp1 for onnxruntime, libglib2.0-0 for OpenCV, tzdata for STORE_TIMEZONE.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 libgomp1 libglib2.0-0 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --create-home shopflow \
    && mkdir -p /data/backups && chown -R shopflow:shopflow /data
COPY --from=build /opt/shopflow /opt/shopflow
ENV PATH=/opt/shopflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    API_HOST=0.0.0.0 \
    API_PORT=8001 \
    LOG_FORMAT=json
USER shopflow
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8001
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('API_PORT', '8001') + '/api/health', timeout=4)"]
CMD ["shopflow", "serve"]
